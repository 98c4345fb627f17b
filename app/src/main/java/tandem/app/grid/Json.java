package tandem.app.grid;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import java.util.Collection;
import java.util.Map;
import tandem.protocol.Specs;

/**
 * JSON for the grid's files through protobuf's JsonFormat and its Struct / Value types: the one JSON
 * library the project already uses for specs and summaries (DESIGN.md, "Wire"), so a cell file embeds
 * its spec and summary exactly as JsonFormat writes them and reads them back the same way.
 */
final class Json {
    private Json() {}

    static String print(MessageOrBuilder message) {
        return Specs.toJson(message);
    }

    /** Parses a JSON object. @throws IllegalArgumentException naming {@code source} */
    static Struct parseObject(String json, String source) {
        Struct.Builder b = Struct.newBuilder();
        try {
            JsonFormat.parser().merge(json, b);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw new IllegalArgumentException(source + ": " + Specs.jsonProblem(e));
        }
        return b.build();
    }

    /**
     * Renders maps (in their order), collections, {@code double[]}, numbers (whole ones without a fraction,
     * non-finite ones as null), strings and protobuf messages (as JsonFormat prints them) as indented JSON.
     * Struct would turn every number into a double ({@code "context": 16.0}); this keeps files readable.
     */
    static String render(Object v) {
        StringBuilder out = new StringBuilder();
        render(v, "", out);
        return out.toString();
    }

    private static void render(Object v, String indent, StringBuilder out) {
        if (v == null) {
            out.append("null");
        } else if (v instanceof MessageOrBuilder message) {
            out.append(print(message).replace("\n", "\n" + indent));
        } else if (v instanceof Number n) {
            double d = n.doubleValue();
            if (!Double.isFinite(d)) {
                out.append("null");
            } else if (v instanceof Double || v instanceof Float) {
                out.append(d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d));
            } else {
                out.append(n);
            }
        } else if (v instanceof Boolean b) {
            out.append(b);
        } else if (v instanceof Map<?, ?> map) {
            if (map.isEmpty()) {
                out.append("{}");
                return;
            }
            String inner = indent + "  ";
            out.append("{");
            String sep = "\n";
            for (Map.Entry<?, ?> e : map.entrySet()) {
                out.append(sep).append(inner).append(quote(String.valueOf(e.getKey()))).append(": ");
                render(e.getValue(), inner, out);
                sep = ",\n";
            }
            out.append("\n").append(indent).append("}");
        } else if (v instanceof double[] numbers) {
            // Short numeric tuples (curve points) stay on one line.
            out.append("[");
            for (int i = 0; i < numbers.length; i++) {
                out.append(i == 0 ? "" : ", ");
                render(numbers[i], indent, out);
            }
            out.append("]");
        } else if (v instanceof Collection<?> items) {
            if (items.isEmpty()) {
                out.append("[]");
                return;
            }
            String inner = indent + "  ";
            out.append("[");
            String sep = "\n";
            for (Object item : items) {
                out.append(sep).append(inner);
                render(item, inner, out);
                sep = ",\n";
            }
            out.append("\n").append(indent).append("]");
        } else {
            out.append(quote(String.valueOf(v)));
        }
    }

    /** A JSON string literal, escaped by JsonFormat. */
    static String quote(String s) {
        return print(Value.newBuilder().setStringValue(s).build());
    }

    /** The field {@code name} of {@code o}. @throws IllegalArgumentException naming it if missing */
    static Value field(Struct o, String name, String source) {
        Value v = o.getFieldsMap().get(name);
        if (v == null) {
            throw new IllegalArgumentException(source + ": no '" + name + "'");
        }
        return v;
    }

    static String string(Struct o, String name, String source) {
        Value v = field(o, name, source);
        if (v.getKindCase() != Value.KindCase.STRING_VALUE) {
            throw new IllegalArgumentException(source + ": '" + name + "' is not a string");
        }
        return v.getStringValue();
    }

    static int integer(Struct o, String name, String source) {
        Value v = field(o, name, source);
        if (v.getKindCase() != Value.KindCase.NUMBER_VALUE || v.getNumberValue() != Math.rint(v.getNumberValue())) {
            throw new IllegalArgumentException(source + ": '" + name + "' is not a whole number");
        }
        return (int) v.getNumberValue();
    }

    /** The nested object {@code name}, printed back to JSON text (to parse into a message). */
    static String objectText(Struct o, String name, String source) {
        Value v = field(o, name, source);
        if (v.getKindCase() != Value.KindCase.STRUCT_VALUE) {
            throw new IllegalArgumentException(source + ": '" + name + "' is not an object");
        }
        return print(v.getStructValue());
    }

    static java.util.List<String> strings(Struct o, String name, String source) {
        Value v = field(o, name, source);
        if (v.getKindCase() != Value.KindCase.LIST_VALUE) {
            throw new IllegalArgumentException(source + ": '" + name + "' is not a list");
        }
        return v.getListValue().getValuesList().stream().map(Value::getStringValue).toList();
    }
}
