package tandem.app.chaos;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tandem.app.node.LocalCluster;
import tandem.app.node.Role;
import tandem.proto.Progress;

/**
 * Carries out a {@link ChaosSchedule} against a local cluster: step triggers fire from progress
 * reports, time triggers from a timer started with training. A killed coordinator is replaced by a
 * fresh standby so that the next kill also has somewhere to fail over to.
 *
 * <p>A kill waits until the cluster has dealt with the previous one (found, downed, removed). Pekko's
 * split brain resolver downs <em>every</em> node when a node that reported another as unreachable
 * crashes itself before that one is downed ("SBR double DownIndirectlyConnected decision": the dead
 * reporter looks indirectly connected). Overlapping crashes are a fault of their own that tandem does
 * not survive in one piece; the schedule injects one crash at a time (see docs/architecture.md).
 */
public final class ChaosMonkey implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChaosMonkey.class);
    private static final long SETTLE_POLL_MILLIS = 250;
    /** A kill waits at most this long (a node killed before it ever joined is never downed and removed). */
    private static final long SETTLE_MAX_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final ChaosSchedule schedule;
    private final LocalCluster cluster;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "chaos");
        t.setDaemon(true);
        return t;
    });
    private final Set<ChaosSchedule.Rule> fired = new HashSet<>();
    /** Kills waiting for the cluster to deal with the previous one, in the order they fell due. */
    private final Deque<ChaosSchedule.Rule> waiting = new ArrayDeque<>();
    /** When the first waiting kill began to wait (System.nanoTime). */
    private long waitingSince;
    private boolean started;
    private long step;
    private int actions;

    public ChaosMonkey(ChaosSchedule schedule, LocalCluster cluster) {
        this.schedule = schedule;
        this.cluster = cluster;
    }

    /** Feed every progress report here. */
    public synchronized void onProgress(Progress progress) {
        step = progress.getStep();
        if (!started && progress.getStep() > 0) {
            started = true;
            startTimers();
        }
        for (ChaosSchedule.Rule rule : schedule.rules()) {
            if (rule.trigger() == ChaosSchedule.Trigger.AT_STEP && progress.getStep() >= rule.value() && fired.add(rule)) {
                act(rule);
            }
        }
    }

    private void startTimers() {
        for (ChaosSchedule.Rule rule : schedule.rules()) {
            long millis = (long) (rule.value() * 1000);
            if (rule.trigger() == ChaosSchedule.Trigger.AT_SECONDS) {
                timer.schedule(() -> act(rule), millis, TimeUnit.MILLISECONDS);
            } else if (rule.trigger() == ChaosSchedule.Trigger.EVERY_SECONDS) {
                timer.scheduleAtFixedRate(() -> act(rule), millis, millis, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** How many faults were injected. */
    public synchronized int actions() {
        return actions;
    }

    private synchronized void act(ChaosSchedule.Rule rule) {
        if (rule.action() == ChaosSchedule.Action.KILL && (!waiting.isEmpty() || !cluster.settled())) {
            if (!waiting.contains(rule)) {
                log.info("chaos {}: waiting until the cluster has dealt with the last crash", rule.text());
                waiting.add(rule);
                if (waiting.size() == 1) {
                    waitingSince = System.nanoTime();
                    retryLater();
                }
            }
            return;
        }
        carryOut(rule);
    }

    private void carryOut(ChaosSchedule.Rule rule) {
        try {
            Optional<String> target = switch (rule.action()) {
                case KILL -> cluster.kill(rule.role());
                case DRAIN -> cluster.drain(rule.role());
                case JOIN -> Optional.of(cluster.add(rule.role()));
            };
            if (target.isEmpty()) {
                log.warn("chaos {}: no live {} node", rule.text(), rule.role().clusterRole);
                return;
            }
            actions++;
            log.info("chaos {}: {} {} at step {}", rule.text(), rule.action().name().toLowerCase(), target.get(), step);
            if (rule.role() == Role.COORDINATOR) {
                actions++;
                log.info("chaos: started standby {}", cluster.add(Role.COORDINATOR));
            }
        } catch (IOException | RuntimeException e) {
            log.error("chaos {} failed: {}", rule.text(), e.toString());
        }
    }

    private void retryLater() {
        timer.schedule(this::killNextWhenSettled, SETTLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Polled while kills wait: the first of them goes once the cluster has settled. */
    private synchronized void killNextWhenSettled() {
        boolean settled = cluster.settled();
        if (settled || System.nanoTime() - waitingSince > SETTLE_MAX_NANOS) {
            if (!settled) {
                log.warn("chaos {}: the cluster has not settled the last crash within 60 s; killing anyway", waiting.peek().text());
            }
            carryOut(waiting.poll());
            waitingSince = System.nanoTime();
        }
        if (!waiting.isEmpty()) {
            retryLater();
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
