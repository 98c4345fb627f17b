package tandem.app.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tandem.app.node.Role;

/**
 * Faults to inject into a local run, e.g. {@code kill-gpu=every:20s,kill-data=at-step:30,
 * join-gpu=at-step:40,kill-coordinator=at-step:50}. Each rule is ACTION=TRIGGER with ACTION one of
 * kill-/join-/drain- followed by gpu | data | coordinator, and TRIGGER one of {@code at-step:N},
 * {@code at:Ns} (seconds after training starts) or {@code every:Ns}.
 */
public record ChaosSchedule(List<Rule> rules) {

    public enum Action { KILL, JOIN, DRAIN }

    public enum Trigger { AT_STEP, AT_SECONDS, EVERY_SECONDS }

    public record Rule(Action action, Role role, Trigger trigger, double value, String text) {}

    public static final ChaosSchedule NONE = new ChaosSchedule(List.of());

    /** @throws IllegalArgumentException naming the rule that does not parse */
    public static ChaosSchedule parse(String spec) {
        if (spec == null || spec.isBlank()) {
            return NONE;
        }
        List<Rule> rules = new ArrayList<>();
        for (String text : spec.split(",")) {
            rules.add(rule(text.trim()));
        }
        return new ChaosSchedule(List.copyOf(rules));
    }

    private static Rule rule(String text) {
        String[] sides = text.split("=", 2);
        if (sides.length != 2) {
            throw bad(text, "expected ACTION=TRIGGER, e.g. kill-gpu=at-step:30");
        }
        String[] what = sides[0].trim().toLowerCase(Locale.ROOT).split("-", 2);
        if (what.length != 2) {
            throw bad(text, "unknown action '" + sides[0] + "' (kill-, join- or drain- with gpu, data or coordinator)");
        }
        Action action = switch (what[0]) {
            case "kill" -> Action.KILL;
            case "join" -> Action.JOIN;
            case "drain" -> Action.DRAIN;
            default -> throw bad(text, "unknown action '" + what[0] + "' (kill, join, drain)");
        };
        Role role = switch (what[1]) {
            case "gpu" -> Role.GPU;
            case "data" -> Role.DATA;
            case "coordinator" -> Role.COORDINATOR;
            default -> throw bad(text, "unknown pool '" + what[1] + "' (gpu, data, coordinator)");
        };
        if (role == Role.COORDINATOR && action != Action.KILL) {
            throw bad(text, "only kill-coordinator is supported (a standby coordinator always runs)");
        }
        String[] when = sides[1].trim().toLowerCase(Locale.ROOT).split(":", 2);
        if (when.length != 2) {
            throw bad(text, "unknown trigger '" + sides[1] + "' (at-step:N, at:Ns, every:Ns)");
        }
        Trigger trigger = switch (when[0]) {
            case "at-step" -> Trigger.AT_STEP;
            case "at" -> Trigger.AT_SECONDS;
            case "every" -> Trigger.EVERY_SECONDS;
            default -> throw bad(text, "unknown trigger '" + when[0] + "' (at-step, at, every)");
        };
        double value = number(text, trigger == Trigger.AT_STEP ? when[1] : stripSeconds(when[1]));
        if (value <= 0 && trigger == Trigger.EVERY_SECONDS || value < 0) {
            throw bad(text, "the trigger needs a positive number");
        }
        return new Rule(action, role, trigger, value, text);
    }

    /** True if some rule kills the coordinator: the run then needs a standby and checkpoints. */
    public boolean killsCoordinator() {
        return rules.stream().anyMatch(r -> r.role() == Role.COORDINATOR);
    }

    private static String stripSeconds(String value) {
        return value.endsWith("s") ? value.substring(0, value.length() - 1) : value;
    }

    private static double number(String text, String value) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw bad(text, "'" + value + "' is not a number");
        }
    }

    private static IllegalArgumentException bad(String rule, String why) {
        return new IllegalArgumentException("--chaos: rule '" + rule + "': " + why);
    }
}
