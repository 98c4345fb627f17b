package tandem.data.augment;

import java.util.random.RandomGenerator;

/**
 * Keyboard typo: replaces each ASCII letter, with probability {@code rate}, by a random neighbour on a QWERTY
 * keyboard, keeping its case. Other characters are never touched. Bound: {@code inputLength} (the length
 * never changes).
 */
public final class TypoOp implements TextOp {
    private static final String[] NEIGHBOURS = {
        "qwsz", "vghn", "xdfv", "serfcx", "wsdr", "drtgvc", "ftyhbv", "gyujnb", "ujko", "huikmn", "jiolm",
        "kop", "njk", "bhjm", "iklp", "ol", "wa", "edft", "awedxz", "rfgy", "yhji", "cfgb", "qase", "zsdc",
        "tghu", "asx"};

    @Override public String name() { return "typo"; }

    @Override public String description() {
        return "replace each ASCII letter with probability rate by a QWERTY neighbour";
    }

    @Override
    public String apply(String text, double rate, RandomGenerator rng) {
        if (!(rate > 0) || text.isEmpty()) {
            return text;
        }
        char[] chars = text.toCharArray();
        boolean changed = false;
        for (int i = 0; i < chars.length; i++) {
            char c = chars[i];
            boolean lower = c >= 'a' && c <= 'z';
            boolean upper = c >= 'A' && c <= 'Z';
            if (!(lower || upper) || !(rng.nextDouble() < rate)) {
                continue;
            }
            String options = NEIGHBOURS[(lower ? c - 'a' : c - 'A')];
            char r = options.charAt(rng.nextInt(options.length()));
            chars[i] = upper ? Character.toUpperCase(r) : r;
            changed = true;
        }
        return changed ? new String(chars) : text;
    }

    @Override
    public int maxOutputLength(int inputLength) {
        return inputLength;
    }
}
