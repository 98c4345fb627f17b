package tandem.data.augment;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;

/**
 * The ops on the class path, found once per JVM with {@link ServiceLoader} through this class's own class
 * loader (not the calling thread's context loader, so the set does not depend on which thread asks first).
 * A name that several providers claim goes to the built-in op if one claims it, else to the first provider
 * in class-path order.
 */
public final class TextOps {
    /** Names of the ops this module ships. */
    public static final Set<String> BUILT_IN = Set.of(
            "synonym", "insert", "swap", "delete", "typo", "char-swap", "char-drop", "char-insert", "case", "mask",
            "sentence-shuffle");

    private TextOps() {}

    private static final class Holder {
        static final Map<String, TextOp> OPS = load();
    }

    private static Map<String, TextOp> load() {
        return load(TextOp.class.getClassLoader());
    }

    /** The ops {@code loader} provides, by name (package-private for tests of plugin discovery). */
    static Map<String, TextOp> load(ClassLoader loader) {
        TreeMap<String, TextOp> ops = new TreeMap<>();
        for (TextOp op : ServiceLoader.load(TextOp.class, loader)) {
            String name = op.name();
            if (name == null || name.isBlank()) {
                throw new IllegalStateException("augmentation op " + op.getClass().getName() + " has no name");
            }
            TextOp present = ops.get(name);
            if (present == null || (!isBuiltIn(present) && isBuiltIn(op))) {
                ops.put(name, op);
            }
        }
        return Collections.unmodifiableMap(ops);
    }

    private static boolean isBuiltIn(TextOp op) {
        return op.getClass().getPackageName().equals(TextOps.class.getPackageName()) && BUILT_IN.contains(op.name());
    }

    /** All loaded ops by name, sorted by name. */
    public static Map<String, TextOp> all() {
        return Holder.OPS;
    }

    /** The sorted names of all loaded ops. */
    public static List<String> names() {
        return List.copyOf(Holder.OPS.keySet());
    }

    public static Optional<TextOp> find(String name) {
        return Optional.ofNullable(Holder.OPS.get(name));
    }

    /** The op called {@code name}; throws IllegalArgumentException listing the known ops when there is none. */
    public static TextOp get(String name) {
        TextOp op = Holder.OPS.get(name);
        if (op == null) {
            throw new IllegalArgumentException("unknown op '" + name + "' (known: " + String.join(", ", names()) + ")");
        }
        return op;
    }
}
