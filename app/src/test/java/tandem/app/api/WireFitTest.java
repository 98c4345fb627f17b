package tandem.app.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tandem.protocol.Specs;
import tandem.proto.BatchSpec;
import tandem.proto.EvalSpec;
import tandem.proto.ExperimentSpec;
import tandem.proto.ModelSpec;

/** A submitted spec must fit the wire (64 MiB frame): the model's vector and every shard. */
class WireFitTest {
    private static ActorSystem<Void> system;

    @BeforeAll
    static void start() {
        system = ActorSystem.create(Behaviors.empty(), "wirefit",
                ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));
    }

    @AfterAll
    static void stop() {
        system.terminate();
    }

    private static Optional<String> check(ExperimentSpec spec) {
        return new WireFit(system).problem(Specs.withDefaults(spec));
    }

    @Test
    void theDefaultsFit() {
        assertEquals(Optional.empty(), check(ExperimentSpec.getDefaultInstance()));
    }

    @Test
    void aModelTooLargeForTheFrame() {
        Optional<String> problem = check(ExperimentSpec.newBuilder()
                .setModel(ModelSpec.newBuilder().setDModel(4096).setDFf(16384).setLayers(4).setHeads(8)).build());
        assertTrue(problem.isPresent() && problem.get().startsWith("model: the model has "), problem.toString());
    }

    @Test
    void shardsTooLargeForTheFrame() {
        Optional<String> batch = check(ExperimentSpec.newBuilder().setBatch(BatchSpec.newBuilder().setGlobalBatch(1 << 20).setShards(1)).build());
        assertTrue(batch.isPresent() && batch.get().startsWith("batch: a shard of 1048576 examples"), batch.toString());
        Optional<String> eval = check(ExperimentSpec.newBuilder().setEval(EvalSpec.newBuilder().setExamples(1 << 22).setShards(2)).build());
        assertTrue(eval.isPresent() && eval.get().startsWith("eval: "), eval.toString());
    }

    @Test
    void aContextBeyondTheModelsLimit() {
        Optional<String> problem = check(ExperimentSpec.newBuilder().setModel(ModelSpec.newBuilder().setContext(100_000)).build());
        assertTrue(problem.isPresent() && problem.get().contains("model.context"), problem.toString());
    }
}
