package tandem.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import tandem.proto.ExperimentSpec;

class SpecsTest {

    @Test
    void emptySpecTakesEveryDefault() throws SpecException {
        ExperimentSpec spec = Specs.validate(Specs.withDefaults(ExperimentSpec.getDefaultInstance()));
        assertEquals(Specs.DEFAULTS, spec);
    }

    @Test
    void givenFieldsWinAndTheRestDefault() throws SpecException {
        ExperimentSpec spec = Specs.withDefaults(Specs.fromJson(
                "{\"gpuBudget\": {\"maxSteps\": 7}, \"model\": {\"kind\": \"MLP\"}, \"dataBudget\": {\"corpus\": \"synthetic\"}}", "test"));
        assertEquals(7, spec.getGpuBudget().getMaxSteps());
        assertEquals(Specs.DEFAULTS.getGpuBudget().getGpuWorkers(), spec.getGpuBudget().getGpuWorkers());
        assertEquals("synthetic", spec.getDataBudget().getCorpus());
        assertEquals(Specs.DEFAULTS.getDataBudget().getValidationFraction(), spec.getDataBudget().getValidationFraction());
        assertEquals(Specs.DEFAULTS.getModel().getContext(), spec.getModel().getContext());
    }

    @Test
    void unknownFieldIsNamed() {
        SpecException e = assertThrows(SpecException.class,
                () -> Specs.fromJson("{\"gpuBudget\": {\"maxStepz\": 7}}", "spec.json"));
        assertTrue(e.getMessage().startsWith("spec.json: "), e.getMessage());
        assertTrue(e.getMessage().contains("maxStepz"), e.getMessage());
    }

    @Test
    void malformedJsonNamesTheFile() {
        SpecException e = assertThrows(SpecException.class, () -> Specs.fromJson("{\"seed\": ", "broken.json"));
        assertTrue(e.getMessage().startsWith("broken.json: malformed JSON: "), e.getMessage());
        assertTrue(!e.getMessage().contains("Exception"), "no Java class names: " + e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void negativeBudgetIsNamed() {
        assertInvalid("{\"gpuBudget\": {\"maxSteps\": -5}}", "gpu_budget.max_steps: must be positive, got -5");
        assertInvalid("{\"dataBudget\": {\"uniqueBytes\": -1}}", "data_budget.unique_bytes: must not be negative, got -1");
        assertInvalid("{\"gpuBudget\": {\"maxWallSeconds\": -2.5}}", "gpu_budget.max_wall_seconds: must not be negative, got -2.5");
    }

    @Test
    void shardsMustDivideTheBatch() {
        assertInvalid("{\"batch\": {\"globalBatch\": 30, \"shards\": 4}}", "batch.shards: 4 does not divide batch.global_batch 30");
    }

    @Test
    void headsMustDivideWidth() {
        assertInvalid("{\"model\": {\"dModel\": 64, \"heads\": 3}}", "model.heads: 3 does not divide model.d_model 64");
    }

    @Test
    void validationFractionInsideTheUnitInterval() {
        assertInvalid("{\"dataBudget\": {\"validationFraction\": 1.5}}",
                "data_budget.validation_fraction: must be between 0 and 1 (exclusive), got 1.5");
    }

    private static void assertInvalid(String json, String message) {
        SpecException e = assertThrows(SpecException.class, () -> Specs.validate(Specs.withDefaults(Specs.fromJson(json, "t"))));
        assertEquals(message, e.getMessage());
    }
}
