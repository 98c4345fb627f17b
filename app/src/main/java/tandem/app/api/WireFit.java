package tandem.app.api;

import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import tandem.coordinator.control.SpecCheck;
import tandem.gpu.model.Models;
import tandem.protocol.WireLimits;
import tandem.proto.ExperimentSpec;

/**
 * The {@link SpecCheck} of the control API: a submitted experiment must fit this cluster's wire. Its
 * parameter vector and its largest shard (tokens and loss mask, one byte each per position) must fit
 * Artery's large-message frame, or workers would allocate a model or batch that can never be sent. The
 * model's size comes from the GPU workers' own layout code ({@link Models#paramCount}), without building it.
 */
public final class WireFit implements SpecCheck {
    private static final String FRAME = "pekko.remote.artery.advanced.maximum-large-frame-size";
    private static final long HEADROOM = 1 << 20;

    private final ActorSystem<?> system;

    public WireFit(ActorSystem<?> system) {
        this.system = system;
    }

    @Override
    public Optional<String> problem(ExperimentSpec spec) {
        long params;
        try {
            params = Models.paramCount(spec.getModel());
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
        Optional<String> model = WireLimits.checkVector(system, params);
        if (model.isPresent()) {
            return Optional.of("model: " + model.get());
        }
        if (!system.settings().config().hasPath(FRAME)) {
            return Optional.empty();
        }
        long frame = system.settings().config().getBytes(FRAME);
        long positions = spec.getModel().getContext() + 1L;
        long trainRows = spec.getBatch().getGlobalBatch() / Math.max(1, spec.getBatch().getShards());
        long evalRows = (spec.getEval().getExamples() + spec.getEval().getShards() - 1) / Math.max(1, spec.getEval().getShards());
        for (var shard : new Object[][] {{"batch", trainRows}, {"eval", evalRows}}) {
            long bytes = (Long) shard[1] * positions * 2 + HEADROOM;
            if (bytes > frame) {
                return Optional.of(String.format("%s: a shard of %d examples x %d bytes needs %.1f MiB on the wire, more than %s (%.1f MiB): use more %s.shards",
                        shard[0], (Long) shard[1], positions, bytes / 1048576.0, FRAME, frame / 1048576.0, shard[0]));
            }
        }
        return Optional.empty();
    }
}
