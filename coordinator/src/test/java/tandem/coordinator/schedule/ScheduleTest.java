package tandem.coordinator.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tandem.proto.ShardId;

class ScheduleTest {
    private final Schedule schedule = new Schedule(5, 2, 3, 2);

    @Test
    void evaluatesFirstEveryNStepsAndAtTheEnd() {
        List<String> phases = new ArrayList<>();
        Optional<Phase> phase = Optional.of(schedule.first());
        while (phase.isPresent()) {
            phases.add(phase.get().toString());
            phase = schedule.after(phase.get(), true);
        }
        assertEquals(List.of("eval@0", "step 0", "step 1", "eval@2", "step 2", "step 3", "eval@4", "step 4", "eval@5"), phases);
    }

    @Test
    void anExhaustedBudgetEvaluatesOnceMoreAndStops() {
        Optional<Phase> next = schedule.after(Phase.train(2, 3), false);
        assertEquals(Optional.of(Phase.eval(3, 2)), next);
        assertEquals(Optional.empty(), schedule.after(next.get(), false));
    }

    @Test
    void lookaheadCrossesPhases() {
        List<ShardId> ids = schedule.lookahead(Phase.train(1, 3), 6);
        assertEquals(6, ids.size());
        assertEquals(Phase.train(1, 3).shard(0), ids.get(0));
        assertEquals(Phase.eval(2, 2).shard(0), ids.get(3));
        assertEquals(Phase.train(2, 3).shard(0), ids.get(5));
    }

    @Test
    void lookaheadStopsAtTheEnd() {
        assertEquals(List.of(Phase.eval(5, 2).shard(0), Phase.eval(5, 2).shard(1)), schedule.lookahead(Phase.eval(5, 2), 10));
    }
}
