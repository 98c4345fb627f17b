package tandem.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The bench's results: sections of rows (measurements and ratios), printed as a table and written as JSON. */
public final class Report {

    /** A ratio's target, e.g. {@code >= 0.95}. */
    public record Target(String op, double value) {
        public static Target atLeast(double v) {
            return new Target(">=", v);
        }

        public static Target atMost(double v) {
            return new Target("<=", v);
        }

        public boolean met(double x) {
            return op.equals(">=") ? x >= value : x <= value;
        }

        @Override
        public String toString() {
            return op + " " + Table.number(value);
        }
    }

    /**
     * One line: a measured figure (median, min..max over repeats) in a unit, optionally a ratio with a target.
     */
    public record Row(String name, Stat stat, String unit, Target target, boolean ratio) {
        public String verdict() {
            if (target == null || stat.isEmpty() || Double.isNaN(stat.median())) {
                return "";
            }
            return target.met(stat.median()) ? "met" : "MISSED";
        }
    }

    public static final class Section {
        final String id;
        final String title;
        final List<Row> rows = new ArrayList<>();
        final List<String> notes = new ArrayList<>();
        final Map<String, Object> extra = new LinkedHashMap<>();
        String placeholder;

        Section(String id, String title) {
            this.id = id;
            this.title = title;
        }

        public Section value(String name, Stat stat, String unit) {
            rows.add(new Row(name, stat, unit, null, false));
            return this;
        }

        public Section ratio(String name, Stat stat, Target target) {
            rows.add(new Row(name, stat, "x", target, true));
            return this;
        }

        public Section note(String text) {
            notes.add(text);
            return this;
        }

        public Section put(String key, Object value) {
            extra.put(key, value);
            return this;
        }

        /** Marks the section as not measured (the reason is printed instead of rows). */
        public Section placeholder(String text) {
            placeholder = text;
            return this;
        }

        public List<Row> rows() {
            return rows;
        }

        public String id() {
            return id;
        }
    }

    private final Map<String, Object> header = new LinkedHashMap<>();
    private final List<Section> sections = new ArrayList<>();

    public Report header(String key, Object value) {
        header.put(key, value);
        return this;
    }

    public Section section(String id, String title) {
        Section s = new Section(id, title);
        sections.add(s);
        return s;
    }

    public List<Section> sections() {
        return sections;
    }

    public void print(PrintStream out) {
        out.println();
        out.println("tandem bench: " + header.getOrDefault("mode", "") + " run, " + header.getOrDefault("started", ""));
        header.forEach((k, v) -> {
            if (!k.equals("mode") && !k.equals("started")) {
                out.println("  " + k + ": " + v);
            }
        });
        for (Section s : sections) {
            out.println();
            out.println(s.title);
            if (s.placeholder != null) {
                out.println("  " + s.placeholder);
            } else {
                out.print(Table.render(s.rows));
            }
            for (String n : s.notes) {
                out.println("  - " + n);
            }
        }
        out.println();
    }

    public String toJson() {
        Map<String, Object> root = new LinkedHashMap<>(header);
        List<Object> list = new ArrayList<>();
        for (Section s : sections) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", s.id);
            m.put("title", s.title);
            if (s.placeholder != null) {
                m.put("measured", false);
                m.put("placeholder", s.placeholder);
            }
            List<Object> rows = new ArrayList<>();
            for (Row r : s.rows) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("name", r.name);
                row.put("unit", r.unit);
                row.put("median", r.stat.median());
                row.put("min", r.stat.min());
                row.put("max", r.stat.max());
                if (!r.stat.values().isEmpty()) {
                    row.put("repeats", r.stat.values());
                }
                if (r.target != null) {
                    row.put("target", r.target.toString());
                    row.put("met", r.target.met(r.stat.median()));
                }
                rows.add(row);
            }
            m.put("rows", rows);
            if (!s.extra.isEmpty()) {
                m.put("details", s.extra);
            }
            m.put("notes", s.notes);
            list.add(m);
        }
        root.put("sections", list);
        return Json.write(root);
    }

    /** Fixed-width table rendering (visible for tests). */
    static final class Table {
        private Table() {}

        static String render(List<Row> rows) {
            List<String[]> cells = new ArrayList<>();
            for (Row r : rows) {
                boolean spread = r.stat.values().size() > 1 || r.stat.min() != r.stat.max();
                String range = spread && !Double.isNaN(r.stat.min())
                        ? number(r.stat.min()) + " .. " + number(r.stat.max()) : "";
                String target = r.target == null ? "" : "target " + r.target + "  " + r.verdict();
                cells.add(new String[] {r.name, number(r.stat.median()), r.unit, range, target});
            }
            int[] width = new int[5];
            for (String[] c : cells) {
                for (int i = 0; i < c.length; i++) {
                    width[i] = Math.max(width[i], c[i].length());
                }
            }
            StringBuilder sb = new StringBuilder();
            for (String[] c : cells) {
                StringBuilder line = new StringBuilder("  ");
                line.append(pad(c[0], width[0], false)).append("  ");
                line.append(pad(c[1], width[1], true)).append(' ');
                line.append(pad(c[2], width[2], false));
                if (width[3] > 0) {
                    line.append("  ").append(pad(c[3].isEmpty() ? "" : "[" + c[3] + "]", width[3] + 2, false));
                }
                if (!c[4].isEmpty()) {
                    line.append("  ").append(c[4]);
                }
                sb.append(line.toString().stripTrailing()).append('\n');
            }
            return sb.toString();
        }

        private static String pad(String s, int width, boolean right) {
            if (s.length() >= width) {
                return s;
            }
            String spaces = " ".repeat(width - s.length());
            return right ? spaces + s : s + spaces;
        }

        /** Three significant figures, thousands grouped; NaN as "n/a". */
        static String number(double v) {
            if (Double.isNaN(v)) {
                return "n/a";
            }
            if (Double.isInfinite(v)) {
                return v > 0 ? "inf" : "-inf";
            }
            double a = Math.abs(v);
            if (a >= 1000) {
                return String.format(Locale.ROOT, "%,.0f", v);
            }
            if (a >= 100) {
                return String.format(Locale.ROOT, "%.0f", v);
            }
            if (a >= 10) {
                return String.format(Locale.ROOT, "%.1f", v);
            }
            if (a >= 1) {
                return String.format(Locale.ROOT, "%.2f", v);
            }
            if (a == 0) {
                return "0";
            }
            if (a >= 0.001) {
                return String.format(Locale.ROOT, "%.3f", v);
            }
            return String.format(Locale.ROOT, "%.2e", v);
        }
    }
}
