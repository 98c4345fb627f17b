package tandem.app.cli;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.util.Optional;
import java.util.Set;

/** The first field (as a dotted path) where two specs differ, ignoring fields that never change the math. */
final class SpecDiff {
    /** Pool sizes and where checkpoints go change speed and bookkeeping, never the parameters. */
    private static final Set<String> IGNORED = Set.of("gpu_budget.gpu_workers", "data_budget.data_workers", "checkpoint.dir", "name");

    private SpecDiff() {}

    static Optional<String> firstDifference(Message a, Message b) {
        return firstDifference(a, b, "");
    }

    private static Optional<String> firstDifference(Message a, Message b, String prefix) {
        for (FieldDescriptor field : a.getDescriptorForType().getFields()) {
            String path = prefix + field.getName();
            if (IGNORED.contains(path)) {
                continue;
            }
            Object x = a.getField(field);
            Object y = b.getField(field);
            if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !field.isRepeated()) {
                Optional<String> inner = firstDifference((Message) x, (Message) y, path + ".");
                if (inner.isPresent()) {
                    return inner;
                }
            } else if (!x.equals(y)) {
                return Optional.of(path + " (" + x + " vs " + y + ")");
            }
        }
        return Optional.empty();
    }
}
