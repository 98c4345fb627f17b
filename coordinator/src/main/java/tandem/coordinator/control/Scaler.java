package tandem.coordinator.control;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Grows and shrinks the worker pools while training runs: {@code PUT /api/v1/pools}. Implementations:
 * local mode starts and stops worker nodes of its {@code LocalCluster} (tandem.app.api.LocalScaler); on
 * Kubernetes one patches the replicas of the GPU and data worker Deployments.
 *
 * <p>Contract, for whoever writes the next one:
 * <ul>
 *   <li>{@link #scale} is called with sizes already checked ({@code 0 <= n <= tandem.api.max-pool-size});
 *       it must not block the caller (do the work on your own thread or client) and may be called again
 *       before an earlier call finished: the last call wins.</li>
 *   <li>The returned stage completes once the change is <em>under way</em> (nodes started or asked to
 *       drain, replicas patched), not when workers have joined: the coordinator finds joining workers
 *       through the receptionist by itself, and a departing worker drains (finishes its shard, leaves).
 *       It completes with the sizes now worked towards.</li>
 *   <li>Failures complete the stage exceptionally with a {@link ScaleException} whose message is one line
 *       (e.g. "deployment tandem-gpu not found"); the API answers 500 with that line.</li>
 *   <li>Scaling never changes an experiment's result (invariant D), only its speed.</li>
 * </ul>
 */
public interface Scaler {

    /** Sizes of the two worker pools. */
    record PoolSizes(int gpuWorkers, int dataWorkers) {
        public PoolSizes {
            if (gpuWorkers < 0 || dataWorkers < 0) {
                throw new IllegalArgumentException("pool sizes must not be negative: gpu " + gpuWorkers + ", data " + dataWorkers);
            }
        }

        public tandem.proto.PoolSizes toProto() {
            return tandem.proto.PoolSizes.newBuilder().setGpuWorkers(gpuWorkers).setDataWorkers(dataWorkers).build();
        }
    }

    /** Works towards {@code gpuWorkers} GPU and {@code dataWorkers} data workers (see the class comment). */
    CompletionStage<PoolSizes> scale(int gpuWorkers, int dataWorkers);

    /** The sizes this scaler works towards (the last request, or the sizes it started with). */
    PoolSizes desired();

    /** A scaler that cannot scale: a coordinator node started by hand, where nobody manages the nodes. */
    static Scaler none() {
        return None.INSTANCE;
    }

    /** True if this node has no scaler (PUT pools answers 501). */
    default boolean supported() {
        return true;
    }

    /** A one-line reason why scaling failed. */
    final class ScaleException extends RuntimeException {
        public ScaleException(String message) {
            super(message, null, false, false);
        }

        /** The one-line reason of {@code failure}, however it was wrapped. */
        public static String reason(Throwable failure) {
            Throwable t = failure;
            while ((t instanceof java.util.concurrent.CompletionException || t instanceof java.util.concurrent.ExecutionException)
                    && t.getCause() != null) {
                t = t.getCause();
            }
            String message = Optional.ofNullable(t.getMessage()).orElse(t.getClass().getSimpleName());
            return message.lines().findFirst().orElse(t.getClass().getSimpleName());
        }
    }

    /** See {@link #none()}. */
    enum None implements Scaler {
        INSTANCE;

        @Override
        public CompletionStage<PoolSizes> scale(int gpuWorkers, int dataWorkers) {
            return CompletableFuture.failedFuture(new ScaleException("this node has no scaler: start workers by hand, or run on Kubernetes"));
        }

        @Override
        public PoolSizes desired() {
            return new PoolSizes(0, 0);
        }

        @Override
        public boolean supported() {
            return false;
        }
    }
}
