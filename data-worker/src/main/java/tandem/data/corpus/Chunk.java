package tandem.data.corpus;

import java.nio.charset.StandardCharsets;

/**
 * One piece of a corpus: valid UTF-8 of roughly 1-4 KB, cut at a paragraph or line boundary where the
 * text has one and never inside a character.
 *
 * @param ref  where the chunk lives inside its corpus; pass it to {@link Corpus#read} for random access
 * @param utf8 the chunk's bytes (do not modify)
 */
public record Chunk(long ref, byte[] utf8) {

    public int length() {
        return utf8.length;
    }

    public String text() {
        return new String(utf8, StandardCharsets.UTF_8);
    }
}
