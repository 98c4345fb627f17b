package tandem.app.grid;

import tandem.proto.ExperimentSpec;

/**
 * One value of the data-budget axis: unique bytes of the train split ({@code data_budget.unique_bytes}),
 * written {@code 100k}, {@code 1M}, {@code 4000000}, or {@code all} for the whole train split.
 *
 * @param bytes unique bytes, or 0 for the whole train split
 */
record DataBudgetPoint(long bytes) {

    static DataBudgetPoint parse(String token) {
        String t = token.strip();
        if (t.equalsIgnoreCase("all")) {
            return new DataBudgetPoint(0);
        }
        long bytes;
        try {
            bytes = Units.parseBytes(t);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--data-budgets: " + e.getMessage() + " (write bytes like 100k, 1M, 4000000, or all)");
        }
        if (bytes <= 0) {
            throw new IllegalArgumentException("--data-budgets: '" + token + "' must be positive (or all)");
        }
        return new DataBudgetPoint(bytes);
    }

    /** The canonical spelling, also the part of a cell id: {@code 100k}, {@code 1M}, {@code all}. */
    String token() {
        return bytes == 0 ? "all" : Units.bytes(bytes);
    }

    String id() {
        return "data" + token();
    }

    String label() {
        return bytes == 0 ? "all bytes" : token() + " bytes";
    }

    void applyTo(ExperimentSpec.Builder spec) {
        spec.getDataBudgetBuilder().setUniqueBytes(bytes);
    }
}
