package tandem.app.grid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tandem.proto.ExperimentSpec;
import tandem.protocol.Specs;

/** The axis syntax of the command line and what each value sets in a cell's spec. */
class GridAxesTest {

    @Test
    void gpuBudgets() {
        GpuBudgetPoint steps = GpuBudgetPoint.parse("200");
        assertEquals(200, steps.steps());
        assertEquals("steps200", steps.id());
        assertEquals(2000, GpuBudgetPoint.parse("2k").steps());
        GpuBudgetPoint wall = GpuBudgetPoint.parse("2m@4");
        assertEquals(120, wall.wallSeconds());
        assertEquals(4, wall.gpuWorkers());
        assertEquals("120s@4", wall.token());
        assertEquals("wall120s-gpu4", wall.id());
        assertEquals(GpuBudgetPoint.parse(wall.token()), wall, "the token reads back");

        ExperimentSpec.Builder spec = Specs.DEFAULTS.toBuilder();
        wall.applyTo(spec);
        assertEquals(120, spec.getGpuBudget().getMaxWallSeconds());
        assertEquals(GpuBudgetPoint.WALL_CLOCK_MAX_STEPS, spec.getGpuBudget().getMaxSteps());
        assertEquals(4, spec.getGpuBudget().getGpuWorkers());
        GpuBudgetPoint.parse("300").applyTo(spec);
        assertEquals(300, spec.getGpuBudget().getMaxSteps());
        assertEquals(0, spec.getGpuBudget().getMaxWallSeconds());
    }

    @Test
    void dataBudgets() {
        assertEquals(100_000, DataBudgetPoint.parse("100k").bytes());
        assertEquals(1_500_000, DataBudgetPoint.parse("1.5M").bytes());
        assertEquals(4_000_000, DataBudgetPoint.parse("4000000").bytes());
        assertEquals(0, DataBudgetPoint.parse("all").bytes());
        assertEquals("1500k", DataBudgetPoint.parse("1.5M").token());
        assertEquals("4M", DataBudgetPoint.parse("4000000").token(), "one id whatever the spelling");
    }

    @Test
    void badValuesNameTheFlag() {
        for (String[] bad : new String[][] {{"", "1k"}, {"10", ""}, {"10,,20", "1k"}, {"10x", "1k"}, {"0", "1k"},
                {"10", "1.5"}, {"10", "-5k"}, {"10,10", "1k"}, {"10", "1k,1000"}, {"10@0", "1k"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GridAxes.parse(bad[0], bad[1], null, 1),
                    String.join(" / ", bad));
            assertTrue(e.getMessage().startsWith("--gpu-budgets") || e.getMessage().startsWith("--data-budgets"), e.getMessage());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> GridAxes.parse("10", "1k", "none,", 1))
                .getMessage().startsWith("--augment"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> GridAxes.parse("10", "1k", null, 0))
                .getMessage().startsWith("--repeats"));
    }

    @Test
    void cellsCoverTheCrossProductWithSeedsPerRepeat() {
        GridSpec grid = new GridSpec(Specs.DEFAULTS, GridAxes.parse("100,200", "10k,20k,40k", "none,eda", 2));
        List<Cell> cells = grid.cells();
        assertEquals(2 * 3 * 2 * 2, cells.size());
        assertEquals(cells.size(), cells.stream().map(Cell::id).distinct().count());
        Cell last = cells.get(cells.size() - 1);
        assertEquals("steps200_data40k_eda_r1", last.id());
        assertEquals(Specs.DEFAULTS.getSeed() + 1, last.spec().getSeed());
        assertEquals("eda", last.spec().getDataBudget().getAugmentation().getPreset());
        assertEquals(40_000, last.spec().getDataBudget().getUniqueBytes());
        // What identifies the grid does not depend on the axes.
        assertEquals(grid.identity(), new GridSpec(Specs.DEFAULTS, GridAxes.parse("50", "1k", "noise", 1)).identity());
    }
}
