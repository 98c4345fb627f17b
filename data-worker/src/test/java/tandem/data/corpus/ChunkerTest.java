package tandem.data.corpus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;

class ChunkerTest {

    @Property(tries = 60)
    void chunksReassembleAndNeverSplitACharacter(
            @ForAll @StringLength(max = 3000) String piece, @ForAll @IntRange(min = 1, max = 12) int repeats) throws IOException {
        byte[] text = piece.repeat(repeats).getBytes(StandardCharsets.UTF_8);
        String expected = new String(text, StandardCharsets.UTF_8);
        Chunker chunker = new Chunker(new ByteArrayInputStream(text), 0);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        StringBuilder decoded = new StringBuilder();
        long offset = 0;
        for (byte[] c = chunker.next(); c != null; c = chunker.next()) {
            assertTrue(c.length > 0 && c.length <= Chunker.MAX);
            assertTrue(chunker.chunkOffset() == offset);
            offset += c.length;
            all.writeBytes(c);
            decoded.append(new String(c, StandardCharsets.UTF_8));
        }
        assertArrayEquals(text, all.toByteArray());
        // jqwik strings may hold lone surrogates, which encode to '?': compare on the valid re-decoding.
        assertTrue(decoded.toString().equals(expected), "a chunk was cut inside a character");
    }
}
