package tandem.app.grid;

import java.util.Locale;

/**
 * Decimal sizes as people type them on a command line ({@code 100k}, {@code 1.5M}) and back. Decimal, not
 * binary: budgets are compared with corpus sizes that are themselves plain byte counts.
 */
final class Units {
    private Units() {}

    /** {@code 4000}, {@code 100k}, {@code 1.5M}, {@code 2G}, with an optional trailing {@code B}. */
    static long parseBytes(String text) {
        String t = text.strip();
        if (t.endsWith("B") || t.endsWith("b")) {
            t = t.substring(0, t.length() - 1);
        }
        double scale = 1;
        if (!t.isEmpty()) {
            switch (Character.toLowerCase(t.charAt(t.length() - 1))) {
                case 'k' -> scale = 1e3;
                case 'm' -> scale = 1e6;
                case 'g' -> scale = 1e9;
                default -> { }
            }
        }
        if (scale != 1) {
            t = t.substring(0, t.length() - 1);
        }
        double value = parseNumber(t, text);
        double bytes = value * scale;
        if (bytes != Math.rint(bytes)) {
            throw new IllegalArgumentException("'" + text + "' is not a whole number of bytes");
        }
        return (long) bytes;
    }

    static double parseNumber(String digits, String original) {
        try {
            double value = Double.parseDouble(digits);
            if (!Double.isFinite(value) || digits.contains("e") || digits.contains("E") || digits.startsWith("+")) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + original + "' is not a number");
        }
    }

    /** The shortest exact spelling: 100000 -> 100k, 1500000 -> 1500k, 2000000 -> 2M, 1234 -> 1234. */
    static String bytes(long n) {
        if (n != 0 && n % 1_000_000_000L == 0) {
            return n / 1_000_000_000L + "G";
        }
        if (n != 0 && n % 1_000_000L == 0) {
            return n / 1_000_000L + "M";
        }
        if (n != 0 && n % 1_000L == 0) {
            return n / 1_000L + "k";
        }
        return Long.toString(n);
    }

    /** A rounded size for prose and plot labels: 1.6M, 480k, 950. */
    static String approx(double n) {
        double a = Math.abs(n);
        if (a >= 1e9) {
            return trim(n / 1e9) + "G";
        }
        if (a >= 1e6) {
            return trim(n / 1e6) + "M";
        }
        if (a >= 1e3) {
            return trim(n / 1e3) + "k";
        }
        return String.format(Locale.ROOT, "%.0f", n);
    }

    /** {@code v} with {@code digits} significant digits and no trailing zeros: 0.05, 0.2, 1, 20. */
    static String approx(double v, int digits) {
        return trimZeros(String.format(Locale.ROOT, "%." + digits + "g", v));
    }

    private static String trimZeros(String s) {
        return s.contains(".") && !s.contains("e") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    }

    private static String trim(double v) {
        return Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%.0f", v) : trimZeros(String.format(Locale.ROOT, "%.3g", v));
    }

    /** Seconds without a needless fraction: 30 -> "30", 2.5 -> "2.5". */
    static String seconds(double s) {
        return s == Math.rint(s) ? Long.toString((long) s) : Double.toString(s);
    }
}
