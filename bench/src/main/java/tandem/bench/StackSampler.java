package tandem.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A poor man's sampling profiler: every {@code periodMillis} it takes every thread's stack and counts, per
 * thread, how often it was running (RUNNABLE and not parked in a selector or a queue) and in which kind of
 * code. Threads are labelled by what they were seen doing (a pinned thread that ran {@code tandem.gpu} code
 * is the GPU worker's), so a thread's idle share is visible too. Native ND4J ops show up as their JNI
 * entry frame. Good enough to say where a step's time goes; not precise to the percent.
 */
final class StackSampler implements AutoCloseable {
    private final Thread thread;
    private final long periodMillis;
    private volatile boolean running = true;

    /** Per thread id: its label, samples seen, samples running per category, hottest frames. */
    private static final class PerThread {
        String name;
        String label;
        int samples;
        final Map<String, Integer> running = new TreeMap<>();
        final Map<String, Integer> frames = new HashMap<>();
    }

    private final Map<Long, PerThread> threads = new HashMap<>();
    private int rounds;

    StackSampler(long periodMillis) {
        this.periodMillis = periodMillis;
        this.thread = new Thread(this::loop, "bench-stack-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (running) {
            Map<Thread, StackTraceElement[]> all = Thread.getAllStackTraces();
            synchronized (this) {
                rounds++;
                for (Map.Entry<Thread, StackTraceElement[]> e : all.entrySet()) {
                    Thread t = e.getKey();
                    StackTraceElement[] stack = e.getValue();
                    if (t == thread || stack.length == 0) {
                        continue;
                    }
                    PerThread p = threads.computeIfAbsent(t.getId(), id -> new PerThread());
                    p.name = t.getName();
                    p.samples++;
                    String label = label(t.getName(), stack);
                    if (label != null && outranks(label, p.label)) {
                        p.label = label;
                    }
                    String category = t.getState() == Thread.State.RUNNABLE ? category(stack) : "idle";
                    if (!category.equals("idle")) {
                        p.running.merge(category, 1, Integer::sum);
                        p.frames.merge(topFrame(stack), 1, Integer::sum);
                    }
                }
            }
            try {
                Thread.sleep(periodMillis);
            } catch (InterruptedException ex) {
                return;
            }
        }
    }

    private static final List<String> PRIORITY = List.of("floor loop", "dl4j ParallelWrapper", "GPU worker", "data worker", "coordinator");

    /** What a stack says the thread is for, or null if it does not tell (the most specific frame anywhere wins). */
    private static String label(String name, StackTraceElement[] stack) {
        String best = null;
        for (StackTraceElement f : stack) {
            String c = f.getClassName();
            String l = null;
            if (c.startsWith("tandem.bench.Floor")) {
                l = "floor loop";
            } else if (c.startsWith("org.deeplearning4j.parallelism")) {
                l = "dl4j ParallelWrapper";
            } else if (c.startsWith("tandem.gpu.GpuWorker")) {
                l = "GPU worker";
            } else if (c.startsWith("tandem.data.DataWorker")) {
                l = "data worker";
            } else if (c.startsWith("tandem.coordinator")) {
                l = "coordinator";
            }
            if (l != null && (best == null || PRIORITY.indexOf(l) < PRIORITY.indexOf(best))) {
                best = l;
            }
        }
        return best;
    }

    private static boolean outranks(String label, String current) {
        return current == null || PRIORITY.indexOf(label) < PRIORITY.indexOf(current);
    }

    private static String group(PerThread p) {
        if (p.label != null) {
            return p.label;
        }
        String n = p.name;
        if (n.contains("remote") || n.contains("artery")) {
            return "artery (wire)";
        }
        if (n.contains("dispatcher") || n.contains("scheduler")) {
            return "pekko (other)";
        }
        return "other";
    }

    static String category(StackTraceElement[] stack) {
        String top = stack[0].getClassName() + "." + stack[0].getMethodName();
        if (top.startsWith("sun.nio.ch") || top.contains("epoll") || top.contains("Unsafe.park")
                || top.contains("Object.wait") || top.contains("Thread.sleep") || top.contains("LockSupport")
                || top.contains("waitForReferencePendingList") || top.contains("ServerSocket") || top.contains("socketAccept")) {
            return "idle";
        }
        if (stack[0].isNativeMethod() && (stack[0].getClassName().contains("nd4j") || stack[0].getClassName().contains("bytedeco"))) {
            return "nd4j native op";
        }
        for (StackTraceElement f : stack) {
            String c = f.getClassName();
            if (c.startsWith("com.google.protobuf") || c.startsWith("tandem.protocol")) {
                return "protobuf / serializer";
            }
            if (c.startsWith("org.apache.pekko.remote") || c.startsWith("org.apache.pekko.stream") || c.startsWith("org.agrona")) {
                return "artery / streams";
            }
            if (c.startsWith("tandem.coordinator.optim")) {
                return "optimizer";
            }
            if (c.startsWith("tandem.data")) {
                return "data plan";
            }
            if (c.startsWith("org.nd4j.autodiff")) {
                return "samediff java";
            }
            if (c.startsWith("org.nd4j")) {
                return "nd4j java";
            }
            if (c.startsWith("org.deeplearning4j")) {
                return "dl4j java";
            }
            if (c.startsWith("org.apache.pekko")) {
                return "pekko";
            }
        }
        return "other java";
    }

    private static String topFrame(StackTraceElement[] stack) {
        for (StackTraceElement f : stack) {
            if (!f.getClassName().startsWith("java.") && !f.getClassName().startsWith("jdk.")) {
                return f.getClassName().replaceAll("^.*\\.", "") + "." + f.getMethodName();
            }
        }
        return stack[0].getClassName() + "." + stack[0].getMethodName();
    }

    /**
     * Per group of threads (threads that ran at least 1% of the samples): busy share of their lifetime by
     * kind of code, idle share, and the hottest frames.
     */
    synchronized List<String> summary(int topN) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "%d samples, one every %d ms; per thread: share of the samples it was running each kind of code, the rest idle", rounds, periodMillis));
        Map<String, List<PerThread>> groups = new TreeMap<>();
        for (PerThread p : threads.values()) {
            int busy = p.running.values().stream().mapToInt(Integer::intValue).sum();
            if (busy * 100 >= rounds) {
                groups.computeIfAbsent(group(p), g -> new ArrayList<>()).add(p);
            }
        }
        for (Map.Entry<String, List<PerThread>> g : groups.entrySet()) {
            int samples = 0;
            Map<String, Integer> running = new TreeMap<>();
            Map<String, Integer> frames = new HashMap<>();
            for (PerThread p : g.getValue()) {
                samples += p.samples;
                p.running.forEach((k, v) -> running.merge(k, v, Integer::sum));
                p.frames.forEach((k, v) -> frames.merge(k, v, Integer::sum));
            }
            int busy = running.values().stream().mapToInt(Integer::intValue).sum();
            int n = g.getValue().size();
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%s (%d thread%s): busy %.0f%% = ", g.getKey(), n, n == 1 ? "" : "s", 100.0 * busy / samples));
            final int total = samples;
            running.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).forEach(c ->
                    sb.append(String.format(Locale.ROOT, "%s %.0f%% + ", c.getKey(), 100.0 * c.getValue() / total)));
            sb.setLength(sb.length() - 3);
            sb.append(String.format(Locale.ROOT, "; idle %.0f%%", 100.0 * (samples - busy) / samples));
            lines.add(sb.toString());
            StringBuilder hot = new StringBuilder("    hottest: ");
            frames.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(topN).forEach(f ->
                    hot.append(String.format(Locale.ROOT, "%s %.0f%%, ", f.getKey(), 100.0 * f.getValue() / total)));
            hot.setLength(hot.length() - 2);
            lines.add(hot.toString());
        }
        return lines;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
