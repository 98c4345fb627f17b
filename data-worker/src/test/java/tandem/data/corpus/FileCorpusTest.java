package tandem.data.corpus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileCorpusTest {
    @TempDir
    Path dir;

    static String prose(long seed, int paragraphs) {
        Random r = new Random(seed);
        String[] words = {"the", "river", "ran", "quietly", "under", "old", "bridges", "while", "crows", "argued",
                "über", "café", "naïve", "日本", "語", "😀", "and", "a", "lantern", "swung"};
        StringBuilder sb = new StringBuilder();
        for (int p = 0; p < paragraphs; p++) {
            int lines = 1 + r.nextInt(6);
            for (int l = 0; l < lines; l++) {
                int n = 3 + r.nextInt(14);
                for (int w = 0; w < n; w++) {
                    sb.append(w == 0 ? "" : " ").append(words[r.nextInt(words.length)]);
                }
                sb.append('\n');
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    static List<Chunk> chunks(Corpus corpus) throws DataException {
        List<Chunk> out = new ArrayList<>();
        corpus.forEachChunk(out::add);
        return out;
    }

    @Test
    void fileChunksReassembleTheFileAtLineBoundaries() throws Exception {
        String text = prose(1, 400);
        Path file = dir.resolve("a.txt");
        Files.writeString(file, text);
        FileCorpus corpus = FileCorpus.open(file.toString());
        List<Chunk> chunks = chunks(corpus);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int i = 0; i < chunks.size(); i++) {
            Chunk c = chunks.get(i);
            all.writeBytes(c.utf8());
            assertTrue(c.length() <= Chunker.MAX, "chunk too long: " + c.length());
            if (i < chunks.size() - 1) {
                assertTrue(c.length() >= Chunker.MIN, "chunk too short: " + c.length());
                assertEquals('\n', c.utf8()[c.length() - 1], "chunk " + i + " not cut at a line end");
            }
            byte[] again = new byte[c.length()];
            corpus.read(c.ref(), 0, again, 0, again.length);
            assertArrayEquals(c.utf8(), again);
        }
        assertEquals(text, all.toString(StandardCharsets.UTF_8));
        assertTrue(chunks.size() > 5);
    }

    @Test
    void textWithoutNewlinesIsCutBetweenCharacters() throws Exception {
        String text = "日本語😀é".repeat(3000); // 3-, 4- and 2-byte characters, no line ends
        Path file = dir.resolve("long.txt");
        Files.writeString(file, text);
        StringBuilder back = new StringBuilder();
        for (Chunk c : chunks(FileCorpus.open(file.toString()))) {
            String s = c.text();
            assertEquals(-1, s.indexOf('\uFFFD'));
            assertArrayEquals(c.utf8(), s.getBytes(StandardCharsets.UTF_8));
            back.append(s);
        }
        assertEquals(text, back.toString());
    }

    @Test
    void folderIsReadRecursivelyInPathOrderSkippingHiddenAndEmptyFiles() throws Exception {
        Files.createDirectories(dir.resolve("b/sub"));
        Files.createDirectories(dir.resolve(".git"));
        Files.writeString(dir.resolve("b/sub/z.txt"), "third\n");
        Files.writeString(dir.resolve("b/a.txt"), "second\n");
        Files.writeString(dir.resolve("a.txt"), "first\n");
        Files.writeString(dir.resolve("empty.txt"), "");
        Files.writeString(dir.resolve(".hidden"), "hidden\n");
        Files.write(dir.resolve(".git/objects"), new byte[] {(byte) 0xFF, 0x00});
        Files.write(dir.resolve("c.txt"), new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, 'f', 'o', 'u', 'r', 't', 'h'});
        FileCorpus corpus = FileCorpus.open(dir.toString());
        StringBuilder sb = new StringBuilder();
        for (Chunk c : chunks(corpus)) {
            sb.append(c.text()).append('|');
        }
        assertEquals("first\n|second\n|third\n|fourth|", sb.toString());
        assertEquals(4, corpus.files().size());
    }

    @Test
    void missingPathIsAnErrorNamingIt() {
        String missing = dir.resolve("nope.txt").toString();
        DataException e = assertThrows(DataException.class, () -> FileCorpus.open(missing));
        assertTrue(e.getMessage().contains(missing) && e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void emptyFileIsAnErrorNamingIt() throws IOException {
        Path file = Files.writeString(dir.resolve("empty.txt"), "");
        DataException e = assertThrows(DataException.class, () -> FileCorpus.open(file.toString()));
        assertTrue(e.getMessage().contains("empty.txt") && e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void folderWithoutTextFilesIsAnError() throws IOException {
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub/empty.txt"), "");
        DataException e = assertThrows(DataException.class, () -> FileCorpus.open(dir.toString()));
        assertTrue(e.getMessage().contains("no readable text files"), e.getMessage());
    }

    @Test
    void invalidUtf8NamesTheFileAndTheByteOffset() throws Exception {
        byte[] good = prose(2, 60).getBytes(StandardCharsets.UTF_8);
        int bad = good.length - 100;
        byte[] bytes = good.clone();
        bytes[bad] = (byte) 0xC3; // a lead byte followed by ASCII: malformed
        bytes[bad + 1] = 'x';
        Path file = dir.resolve("bad.txt");
        Files.write(file, bytes);
        DataException e = assertThrows(DataException.class, () -> chunks(FileCorpus.open(file.toString())));
        assertTrue(e.getMessage().contains("bad.txt"), e.getMessage());
        assertTrue(e.getMessage().contains("byte offset " + bad), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void invalidUtf8AfterABomReportsTheFileOffset() throws Exception {
        Path file = dir.resolve("bom.txt");
        Files.write(file, new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, 'a', 'b', (byte) 0xFF, 'c'});
        DataException e = assertThrows(DataException.class, () -> chunks(FileCorpus.open(file.toString())));
        assertTrue(e.getMessage().contains("byte offset 5"), e.getMessage());
    }

    @Test
    void corporaOpensFilesAndCachesThem() throws Exception {
        Path file = Files.writeString(dir.resolve("x.txt"), prose(3, 10));
        var budget = tandem.proto.DataBudget.newBuilder().setCorpus(file.toString()).build();
        Corpus a = Corpora.open(budget, 1);
        Corpus b = Corpora.open(budget, 2);
        assertTrue(a == b, "file corpus reused");
        var synth = tandem.proto.DataBudget.newBuilder().setCorpus("synthetic").setSyntheticBytes(5000).build();
        assertTrue(Corpora.open(synth, 4) == Corpora.open(synth, 4));
        assertTrue(Corpora.open(synth, 4) != Corpora.open(synth, 5));
    }
}
