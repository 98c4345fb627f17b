package tandem.app.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tandem.app.Main;
import tandem.proto.ClusterMember;
import tandem.proto.ExperimentView;
import tandem.proto.LossPoint;
import tandem.proto.PoolSizes;
import tandem.proto.Progress;
import tandem.proto.Status;
import tandem.proto.WorkerStatus;

/** {@code tandem ctl} without a cluster: its one-line errors, exit codes, tables; and the API's refusal to bind. */
class CtlTest {
    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {}

    static Run tandem(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = Main.commandLine();
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        // Not picocli's RunLast instance: it would swap the writers above for System.out if that changed (see api/Fixtures).
        command.setExecutionStrategy(parsed -> new CommandLine.RunLast().execute(parsed));
        int exit = command.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static void assertOneLineError(Run run, int exit, String expected) {
        assertEquals(exit, run.exit(), run.toString());
        assertTrue(run.err().startsWith("tandem: error: ") && run.err().contains(expected), run.toString());
        assertEquals(1, run.err().lines().count(), run.toString());
    }

    @Test
    void noServerIsOneLineAndExit1() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        assertOneLineError(tandem("ctl", "status", "--server", "http://127.0.0.1:" + port), 1, "cannot reach http://127.0.0.1:" + port);
        assertOneLineError(tandem("ctl", "--server", "127.0.0.1:" + port, "experiments"), 1, "connection refused");
        assertOneLineError(tandem("ctl", "status", "--server", "ftp://example"), 1, "--server: 'ftp://example' is not a URL");
    }

    @Test
    void localMistakesAreExit2() throws Exception {
        assertOneLineError(tandem("ctl", "submit", dir.resolve("missing.json").toString()), 2, "missing.json: no such file");
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"gpuBudget\": {\"maxStepz\": 5}}");
        assertOneLineError(tandem("ctl", "submit", bad.toString()), 2, "bad.json: Cannot find field: maxStepz");
        assertOneLineError(tandem("ctl", "scale"), 2, "give --gpu N and/or --data M");
        assertOneLineError(tandem("ctl", "status", "--token-file", dir.resolve("no-token").toString()), 1, "no-token: no such file");
        Run unknown = tandem("ctl", "explode");
        assertEquals(2, unknown.exit(), unknown.toString());
    }

    @Test
    void ctlAloneShowsItsCommands() {
        Run run = tandem("ctl");
        assertEquals(0, run.exit());
        for (String sub : List.of("status", "submit", "experiments", "pause", "resume", "cancel", "checkpoint", "scale", "drain")) {
            assertTrue(run.out().contains(sub), run.out());
        }
    }

    @Test
    void nodesRefuseANonLoopbackApiWithoutATokenBeforeStarting() {
        assumeTrue(System.getenv("TANDEM_API_TOKEN") == null, "TANDEM_API_TOKEN is set in this environment");
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            assertOneLineError(tandem("coordinator", "--port", "0", "--api-host", "0.0.0.0"), 2,
                    "the control API will not listen on 0.0.0.0 without a token");
            assertOneLineError(tandem("local", "--api-host", "0.0.0.0", "--steps", "1"), 2,
                    "the control API will not listen on 0.0.0.0 without a token");
            assertOneLineError(tandem("coordinator", "--port", "0", "--token-file", dir.resolve("absent").toString()), 2,
                    "absent: no such file");
            Path empty = Files.writeString(dir.resolve("empty"), "\n");
            assertOneLineError(tandem("local", "--token-file", empty.toString()), 2, "empty: empty");
            assertOneLineError(tandem("local", "--api-port", "70000"), 2, "--api-port: must be 0..65535");
        });
    }

    @Test
    void statusTable() {
        Status status = Status.newBuilder().setCoordinator("pekko://tandem@127.0.0.1:1")
                .putMembersByRole("gpu", 2).putMembersByRole("data", 1).putMembersByRole("coordinator", 1)
                .addMembers(ClusterMember.newBuilder().setAddress("pekko://tandem@127.0.0.1:2").addRoles("gpu").setStatus("Up").setReachable(true))
                .addMembers(ClusterMember.newBuilder().setAddress("pekko://tandem@127.0.0.1:3").addRoles("gpu").setStatus("Leaving").setReachable(true))
                .setDesiredPools(PoolSizes.newBuilder().setGpuWorkers(2).setDataWorkers(1))
                .addWorkers(WorkerStatus.newBuilder().setName("gpu-1").setPool("gpu").setState("busy").setShardsDone(120).setShardsPerSecond(3.1))
                .addWorkers(WorkerStatus.newBuilder().setName("data-1").setPool("data").setState("ready").setShardsDone(7))
                .setCurrent(ExperimentView.newBuilder().setId("tiny-1").setState("running")
                        .setProgress(Progress.newBuilder().setStep(40).setMaxSteps(300).setTrainLoss(2.1).setValBitsPerByte(Double.NaN)
                                .setTokensPerSecond(12345).setGpuWorkers(2).setDataWorkers(1).setState("training").setDataStall(0.012)))
                .addQueued("tiny-2").build();
        StringWriter text = new StringWriter();
        Tables.status(status, new PrintWriter(text, true));
        String out = text.toString();
        assertTrue(out.contains("coordinator 1, data 1, gpu 2, 1 not up or unreachable   (scaler: gpu 2, data 1)"), out);
        assertTrue(out.contains("tiny-1  running  [training]"), out);
        assertTrue(out.contains("step 40/300  loss 2.100  val - bits/byte  12.3k tok/s"), out);
        assertTrue(out.contains("data stall    1.2% of GPU-worker time"), out);
        assertTrue(out.contains("queued          tiny-2"), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("gpu-1\\s+gpu\\s+busy\\s+120\\s+3\\.10\\s*")), out);
        assertTrue(out.contains("Leaving"), out);
    }

    @Test
    void sparklineFollowsTheCurve() {
        List<LossPoint> falling = java.util.stream.IntStream.range(0, 100)
                .mapToObj(i -> LossPoint.newBuilder().setStep(i + 1).setTrainLoss(5.0 - i * 0.03).build()).toList();
        String line = Tables.sparkline(falling, 20);
        assertEquals(20, line.length());
        assertEquals('█', line.charAt(0));
        assertEquals('▁', line.charAt(19));
    }

    @Test
    void pathSegmentsAreEncoded() {
        assertEquals("tandem@127.0.0.1:4711", CtlClient.segment("tandem@127.0.0.1:4711"));
        assertEquals("a%20b%2Fc%3F", CtlClient.segment("a b/c?"));
        assertEquals("caf%C3%A9", CtlClient.segment("café"));
    }

    @Test
    void errorLines() {
        assertEquals("no experiment 'x' (HTTP 404)", CtlClient.errorLine(404, "{\"error\": \"no experiment 'x'\"}"));
        assertTrue(CtlClient.errorLine(401, "{\"error\": \"needs a token\"}").contains("--token"));
        assertEquals("Bad Gateway (HTTP 502)", CtlClient.errorLine(502, "Bad Gateway\n<html>"));
        assertEquals("no details (HTTP 500)", CtlClient.errorLine(500, ""));
    }
}
