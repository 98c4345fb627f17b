package tandem.app.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static tandem.app.api.Fixtures.ctl;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tandem.app.ctl.CtlJson;
import tandem.protocol.Specs;
import tandem.proto.ExperimentSpec;
import tandem.proto.ExperimentView;
import tandem.proto.Status;
import tandem.proto.Summary;

/**
 * Local mode as a service, driven only through {@code tandem ctl}: submit an experiment, scale the GPU
 * pool 1 -> 3 -> 1 and drain one of two data workers while it trains, and watch {@code ctl status} show
 * each change. The run ends with the parameters of the same spec run without any change (queued behind
 * it, on the pools left at the end): invariant D through the control plane.
 */
class ElasticApiTest {
    /**
     * Long enough that the scaled run is still training when the last change shows in status: the changes
     * take 7-15 s of membership traffic, 400 steps of the tiny model took as little as 11 s on a quiet machine.
     */
    private static final int STEPS = 1000;

    @TempDir
    Path dir;

    @Test
    void scaleAndDrainThroughCtlWhileTrainingLeaveTheResultAlone() throws Exception {
        ExperimentSpec spec = Fixtures.tiny(STEPS).toBuilder().setName("elastic-api")
                .setEval(Fixtures.tiny(STEPS).getEval().toBuilder().setEverySteps(100)).build();
        Path specFile = dir.resolve("spec.json");
        Files.writeString(specFile, Specs.toJson(spec), StandardCharsets.UTF_8);
        Path missingCorpus = dir.resolve("missing-corpus.json");
        String nowhere = dir.resolve("no-such-corpus.txt").toString();
        Files.writeString(missingCorpus, Specs.toJson(spec.toBuilder().setDataBudget(spec.getDataBudget().toBuilder().setCorpus(nowhere)).build()),
                StandardCharsets.UTF_8);
        long t0 = System.nanoTime();
        try (LocalService service = LocalService.start(1, 1, 2, Fixtures.serializeEverything(), false, Fixtures.api(), true)) {
            String server = service.apiUrl();
            log(t0, "cluster up, API at " + server);
            String management = service.managementUrl(10).orElseThrow();
            awaitOk(management + "/ready", "");
            assertEquals(200, Fixtures.get(management + "/alive").statusCode());
            awaitOk(management + "/cluster/members", "\"gpu\"");

            Fixtures.Ctl submitted = ctl(server, "submit", specFile.toString(), "--json");
            assertEquals(0, submitted.exit(), submitted.toString());
            String id = CtlJson.parse(submitted.out(), ExperimentView.getDefaultInstance()).getId();
            Fixtures.Ctl queued = ctl(server, "submit", specFile.toString());
            assertEquals(0, queued.exit(), queued.toString());
            assertTrue(queued.out().startsWith("submitted elastic-api-") && queued.out().contains("(queued)"), queued.out());
            String unscaledId = queued.out().split(" ")[1];

            // Mistakes get one line and a non-zero exit; nothing reaches the run.
            assertCtlError(ctl(server, false, "pause", id), "HTTP 401");
            assertCtlError(Fixtures.ctl(server, false, "pause", id, "--token", "wrong"), "wrong token (HTTP 403)");
            assertCtlError(ctl(server, "experiments", "no-such-run"), "no experiment 'no-such-run' (HTTP 404)");
            assertCtlError(ctl(server, "drain", "gpu-99"), "no worker 'gpu-99' (HTTP 404)");
            assertCtlError(ctl(server, "scale", "--gpu", "65"), "between 0 and 64");
            assertCtlError(ctl(server, "scale", "--data", "-1"), "HTTP 400");
            assertCtlError(ctl(server, "submit", missingCorpus.toString()), nowhere + ": path does not exist (data_budget.corpus) (HTTP 400)");

            Status status = awaitStatus(server, s -> running(s, id) && s.getCurrent().getProgress().getStep() >= 3, "training started");
            assertEquals(1, workers(status, "gpu"), status.toString());
            assertEquals(2, workers(status, "data"), status.toString());
            assertEquals(unscaledId, status.getQueued(0));
            log(t0, "training at step " + status.getCurrent().getProgress().getStep());

            Fixtures.Ctl up = ctl(server, "scale", "--gpu", "3");
            assertEquals(0, up.exit(), up.toString());
            assertTrue(up.out().contains("scaling to 3 GPU and 2 data workers"), up.out());
            status = awaitStatus(server, s -> workers(s, "gpu") == 3 && s.getMembersByRoleOrDefault("gpu", 0) == 3
                    && s.getWorkersList().stream().filter(w -> w.getPool().equals("gpu")).allMatch(w -> w.getShardsDone() > 0), "3 GPU workers, all computing");
            assertTrue(running(status, id), "scaled up while training: " + status.getCurrent());
            assertEquals(3, status.getCurrent().getProgress().getGpuWorkers());
            assertEquals(3, status.getDesiredPools().getGpuWorkers());
            log(t0, "3 GPU workers at step " + status.getCurrent().getProgress().getStep());

            Fixtures.Ctl down = ctl(server, "scale", "--gpu", "1");
            assertEquals(0, down.exit(), down.toString());
            status = awaitStatus(server, s -> workers(s, "gpu") == 1 && s.getMembersByRoleOrDefault("gpu", 0) == 1, "back to 1 GPU worker");
            assertTrue(running(status, id), "scaled down while training: " + status.getCurrent());
            log(t0, "1 GPU worker at step " + status.getCurrent().getProgress().getStep());

            String dataWorker = status.getWorkersList().stream().filter(w -> w.getPool().equals("data")).findFirst().orElseThrow().getName();
            Fixtures.Ctl drain = ctl(server, "drain", dataWorker);
            assertEquals(0, drain.exit(), drain.toString());
            assertTrue(drain.out().contains("draining " + dataWorker), drain.out());
            status = awaitStatus(server, s -> workers(s, "data") == 1 && s.getMembersByRoleOrDefault("data", 0) == 1
                    && s.getDesiredPools().getDataWorkers() == 1, "1 data worker left, and the scaler counts 1 (a drained worker is not replaced)");
            assertTrue(running(status, id), "drained while training: " + status.getCurrent());
            assertTrue(status.getWorkersList().stream().noneMatch(w -> w.getName().equals(dataWorker)), status.toString());
            log(t0, "1 data worker at step " + status.getCurrent().getProgress().getStep());

            Fixtures.Ctl table = ctl(server, "status");
            assertEquals(0, table.exit(), table.toString());
            assertTrue(table.out().contains("gpu 1") && table.out().contains("data 1") && table.out().contains(id)
                    && table.out().contains("WORKER"), table.out());

            Summary scaled = awaitFinished(server, id);
            log(t0, "scaled run finished");
            Summary unscaled = awaitFinished(server, unscaledId);
            log(t0, "unscaled run finished");
            System.out.printf("ElasticApiTest: params_sha256 scaled   %s (%d steps, joined %d, drained %d)%n",
                    scaled.getParamsSha256(), scaled.getSteps(), scaled.getWorkersJoined(), scaled.getWorkersDrained());
            System.out.printf("ElasticApiTest: params_sha256 unscaled %s (%d steps, 1 GPU, 1 data worker)%n",
                    unscaled.getParamsSha256(), unscaled.getSteps());
            assertEquals(unscaled.getParamsSha256(), scaled.getParamsSha256(), "invariant D through the control plane");
            assertEquals(STEPS, scaled.getSteps());
            assertEquals(STEPS, scaled.getLossesCount(), "one loss point per step");
            assertTrue(scaled.getWorkersJoined() >= 2, "joined: " + scaled.getWorkersJoined());
            assertTrue(scaled.getWorkersDrained() >= 3, "drained: " + scaled.getWorkersDrained());

            Fixtures.Ctl list = ctl(server, "experiments");
            assertEquals(0, list.exit(), list.toString());
            assertTrue(list.out().contains(id) && list.out().contains(unscaledId) && list.out().contains("finished"), list.out());
            Fixtures.Ctl one = ctl(server, "experiments", id);
            assertTrue(one.out().contains(scaled.getParamsSha256()) && one.out().contains("loss curve"), one.out());
            String metrics = Fixtures.get(server + "/metrics").body();
            assertTrue(metrics.lines().anyMatch(l -> l.startsWith("tandem_step ") && Double.parseDouble(l.substring(11)) > 0),
                    "the run's metrics reach the client's /metrics");
        }
    }

    private static void assertCtlError(Fixtures.Ctl run, String expected) {
        assertEquals(1, run.exit(), run.toString());
        assertTrue(run.err().startsWith("tandem: error: ") && run.err().contains(expected), run.toString());
        assertEquals(1, run.err().lines().count(), run.toString());
    }

    /** Polls {@code url} until it answers 200 with a body containing {@code text}. */
    private static void awaitOk(String url, String text) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        java.net.http.HttpResponse<String> response = null;
        while (System.nanoTime() < deadline) {
            response = Fixtures.get(url);
            if (response.statusCode() == 200 && response.body().contains(text)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(url + " answered " + response.statusCode() + " " + response.body() + " for 30 s");
    }

    private static boolean running(Status s, String id) {
        return s.hasCurrent() && s.getCurrent().getId().equals(id) && s.getCurrent().getState().equals("running");
    }

    private static long workers(Status s, String pool) {
        return s.getWorkersList().stream().filter(w -> w.getPool().equals(pool)).count();
    }

    /** Polls {@code ctl status --json} until {@code until} holds. */
    private static Status awaitStatus(String server, Predicate<Status> until, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Status last = null;
        while (System.nanoTime() < deadline) {
            Fixtures.Ctl run = ctl(server, false, "status", "--json");
            assertEquals(0, run.exit(), run.toString());
            last = CtlJson.parse(run.out(), Status.getDefaultInstance());
            if (until.test(last)) {
                return last;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no status with " + what + " within 60 s; last: " + last);
    }

    private static Summary awaitFinished(String server, String id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(300).toNanos();
        ExperimentView view = null;
        while (System.nanoTime() < deadline) {
            Fixtures.Ctl run = ctl(server, false, "experiments", id, "--json");
            assertEquals(0, run.exit(), run.toString());
            view = CtlJson.parse(run.out(), ExperimentView.getDefaultInstance());
            if (!view.getState().equals("running") && !view.getState().equals("queued") && !view.getState().equals("paused")) {
                assertEquals("finished", view.getState(), view.getError());
                return view.getSummary();
            }
            Thread.sleep(500);
        }
        throw new AssertionError("experiment " + id + " did not finish; last: " + (view == null ? null : view.getProgress()));
    }

    private static void log(long t0, String what) {
        System.out.printf("ElasticApiTest: %5.1f s  %s%n", (System.nanoTime() - t0) / 1e9, what);
    }
}
