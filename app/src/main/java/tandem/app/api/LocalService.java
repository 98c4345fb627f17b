package tandem.app.api;

import com.typesafe.config.Config;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.http.javadsl.ServerBinding;
import tandem.app.node.LocalCluster;
import tandem.coordinator.control.ApiSettings;
import tandem.coordinator.control.Scaler;

/**
 * {@code tandem local} as a service: a {@link LocalCluster} whose client node serves the control API,
 * with a {@link LocalScaler} for {@code PUT /api/v1/pools}, a {@link LocalCorpus} check of submitted corpus
 * paths, and Pekko Management. The client node is the
 * one that can start and stop this machine's nodes, hence the API lives there (not on the coordinator
 * node, which local mode starts without one).
 */
public final class LocalService implements AutoCloseable {
    private final LocalCluster cluster;
    private final LocalScaler scaler;
    private final ServerBinding api;
    private final String apiProblem;

    private LocalService(LocalCluster cluster, LocalScaler scaler, ServerBinding api, String apiProblem) {
        this.cluster = cluster;
        this.scaler = scaler;
        this.api = api;
        this.apiProblem = apiProblem;
    }

    /**
     * Starts the cluster and binds the API.
     *
     * @param requireApi if the API cannot be served: true stops everything and throws, false goes on without
     *                   it ({@link #apiProblem} says why)
     * @throws IllegalArgumentException one line, if the API is required and cannot be served (address in
     *                                  use, no token for a non-loopback address); nothing is left running then
     */
    public static LocalService start(int coordinators, int gpuWorkers, int dataWorkers, Config extra, boolean processes,
                                     ApiSettings api, boolean requireApi) throws IOException, InterruptedException {
        api.checkBindable();
        LocalCluster cluster = LocalCluster.start(coordinators, gpuWorkers, dataWorkers, extra, processes);
        LocalScaler scaler = new LocalScaler(cluster, gpuWorkers, dataWorkers);
        try {
            ServerBinding binding = ApiServer.start(cluster.client(), api, scaler, new LocalCorpus()).toCompletableFuture().get(30, TimeUnit.SECONDS);
            return new LocalService(cluster, scaler, binding, null);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            String problem = "control API: cannot serve " + api.host() + ":" + api.port() + ": "
                    + Scaler.ScaleException.reason(cause) + " (--api-port picks another port, 0 a free one)";
            if (!requireApi) {
                return new LocalService(cluster, scaler, null, problem);
            }
            scaler.close();
            cluster.close();
            throw new IllegalArgumentException(problem);
        }
    }

    /** Why the API is not served, if it is not. */
    public Optional<String> apiProblem() {
        return Optional.ofNullable(apiProblem);
    }

    public LocalCluster cluster() {
        return cluster;
    }

    public Scaler scaler() {
        return scaler;
    }

    /** {@code http://127.0.0.1:8080}: what {@code tandem ctl --server} takes. */
    public String apiUrl() {
        if (api == null) {
            throw new IllegalStateException(apiProblem);
        }
        return ApiServer.url(api);
    }

    /** Where Pekko Management answers on the client node ({@code /alive}, {@code /ready}), once started. */
    public Optional<String> managementUrl(long timeoutSeconds) {
        return Management.uri(cluster.client()).flatMap(started -> {
            try {
                return Optional.of(started.toCompletableFuture().get(timeoutSeconds, TimeUnit.SECONDS).toString());
            } catch (Exception e) {
                return Optional.empty();
            }
        });
    }

    @Override
    public void close() {
        scaler.close();
        if (api != null) {
            api.unbind();
        }
        cluster.close();
    }
}
