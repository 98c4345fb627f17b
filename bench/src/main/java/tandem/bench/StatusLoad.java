package tandem.bench;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A load generator for {@code GET /api/v1/status}, run as its own JVM by section 8 so that its threads, JIT
 * and garbage collector are not the training JVM's (they still share the machine's cores, as clients on
 * loopback do). Usage: {@code StatusLoad URL CLIENTS WARMUP_REQUESTS}; it warms up, prints {@code ready},
 * then for every line {@code go REQUESTS RATE} on stdin sends REQUESTS requests from CLIENTS concurrent
 * clients (RATE requests/s in all, spread evenly over the clients; 0: as fast as they can) and prints one
 * line {@code done requests errors seconds p50 p90 p99 max cpu first-error}. {@code quit} or end of input ends it.
 *
 * <p>Each client is one keep-alive HTTP/1.1 connection written and read with a plain socket (as wrk or ab
 * do): a full HTTP client library would spend more CPU per request than the server it measures.
 */
public final class StatusLoad {
    private final String host;
    private final int port;
    private final byte[] request;
    private final int clients;

    private StatusLoad(String server, int clients) {
        URI uri = URI.create(server);
        this.host = uri.getHost();
        this.port = uri.getPort();
        this.clients = clients;
        this.request = ("GET /api/v1/status HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nAccept: application/json\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** One client's connection, opened on first use and again after the server closes it. */
    private final class Connection implements AutoCloseable {
        private Socket socket;
        private InputStream in;
        private OutputStream out;

        /** Sends the request and reads the response; returns null for a 200 with a status body, else what went wrong. */
        String get() throws IOException {
            if (socket == null) {
                socket = new Socket(host, port);
                socket.setTcpNoDelay(true);
                socket.setSoTimeout(30_000);
                in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
                out = socket.getOutputStream();
            }
            out.write(request);
            out.flush();
            String statusLine = line();
            long length = -1;
            boolean close = false;
            for (String header = line(); !header.isEmpty(); header = line()) {
                int colon = header.indexOf(':');
                String name = colon < 0 ? header : header.substring(0, colon).trim();
                String value = colon < 0 ? "" : header.substring(colon + 1).trim();
                if (name.equalsIgnoreCase("Content-Length")) {
                    length = Long.parseLong(value);
                } else if (name.equalsIgnoreCase("Connection") && value.equalsIgnoreCase("close")) {
                    close = true;
                }
            }
            if (length < 0) {
                close();
                return statusLine + " (no Content-Length)";
            }
            byte[] body = in.readNBytes((int) length);
            if (close) {
                close();
            }
            String text = new String(body, StandardCharsets.UTF_8);
            return statusLine.startsWith("HTTP/1.1 200") && text.contains("\"workers\"") ? null : statusLine + " " + text;
        }

        private String line() throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    throw new IOException("connection closed by the server");
                }
                if (b != '\r') {
                    bytes.write(b);
                }
            }
            return bytes.toString(StandardCharsets.US_ASCII);
        }

        @Override
        public void close() {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }
            socket = null;
        }
    }

    /** What one burst of requests saw; latencies in ms, CPU in seconds of this JVM. */
    record Result(int requests, int errors, double seconds, double p50, double p90, double p99, double max, double cpuSeconds,
                  String firstError) {
        String line() {
            return String.format(Locale.ROOT, "done %d %d %.3f %.3f %.3f %.3f %.3f %.3f %s", requests, errors, seconds, p50, p90, p99, max,
                    cpuSeconds, firstError.isEmpty() ? "-" : firstError.replaceAll("\\s+", "_"));
        }

        static Result parse(String line) {
            String[] f = line.trim().split(" ", 10);
            if (f.length < 10 || !f[0].equals("done")) {
                throw new IllegalStateException("load generator said: " + line);
            }
            return new Result(Integer.parseInt(f[1]), Integer.parseInt(f[2]), Double.parseDouble(f[3]), Double.parseDouble(f[4]),
                    Double.parseDouble(f[5]), Double.parseDouble(f[6]), Double.parseDouble(f[7]), Double.parseDouble(f[8]),
                    f[9].equals("-") ? "" : f[9]);
        }
    }

    /**
     * Sends {@code requests} status requests from the clients. With a rate, request k is due at
     * {@code k / rate} seconds after the start (client k mod CLIENTS sends it) and a client that falls behind
     * sends at once; latency is from the moment a request is sent to its whole body read.
     */
    Result burst(int requests, double rate) throws Exception {
        long[] latencies = new long[requests];
        AtomicInteger next = new AtomicInteger();
        ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long cpu0 = os.getProcessCpuTime();
        long start = System.nanoTime();
        try {
            Future<?>[] running = new Future<?>[clients];
            for (int c = 0; c < clients; c++) {
                running[c] = pool.submit(() -> {
                    try (Connection connection = new Connection()) {
                        for (int k = next.getAndIncrement(); k < requests; k = next.getAndIncrement()) {
                            if (rate > 0) {
                                long due = start + (long) (k * 1e9 / rate);
                                long wait = due - System.nanoTime();
                                if (wait > 0) {
                                    TimeUnit.NANOSECONDS.sleep(wait);
                                }
                            }
                            long t = System.nanoTime();
                            try {
                                String wrong = connection.get();
                                if (wrong != null) {
                                    errors.add(wrong);
                                }
                            } catch (IOException | RuntimeException e) {
                                errors.add(e.toString());
                                connection.close();
                            }
                            latencies[k] = System.nanoTime() - t;
                        }
                    }
                    return null;
                });
            }
            for (Future<?> f : running) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
        Arrays.sort(latencies);
        return new Result(requests, errors.size(), seconds, percentile(latencies, 0.50), percentile(latencies, 0.90),
                percentile(latencies, 0.99), latencies[requests - 1] / 1e6, cpu, errors.isEmpty() ? "" : errors.peek());
    }

    private static double percentile(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, Math.max(0, (int) Math.ceil(p * sorted.length) - 1))] / 1e6;
    }

    public static void main(String[] args) throws Exception {
        StatusLoad load = new StatusLoad(args[0], Integer.parseInt(args[1]));
        int warmup = Integer.parseInt(args[2]);
        if (warmup > 0) {
            load.burst(warmup, 200);
        }
        System.out.println("ready");
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null && !line.trim().equals("quit"); line = in.readLine()) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3 && f[0].equals("go")) {
                System.out.println(load.burst(Integer.parseInt(f[1]), Double.parseDouble(f[2])).line());
            } else {
                System.out.println("unknown command: " + line);
            }
            System.out.flush();
        }
        System.exit(0);
    }
}
