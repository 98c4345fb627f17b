package tandem.data.corpus;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.stream.Stream;

/**
 * UTF-8 text from a file, or from every regular file under a folder (recursively, sorted by relative path
 * with '/' separators; names starting with '.' and empty files are skipped). Each file is cut into chunks
 * on its own and read strictly: malformed UTF-8 is an error naming the file and the byte offset. A leading
 * UTF-8 byte order mark is dropped. Files are streamed: reading never holds more than one chunk, and
 * {@link #read} fetches bytes by positional reads.
 */
public final class FileCorpus implements Corpus {
    private static final int OFFSET_BITS = 40; // chunk ref = file index << 40 | byte offset in the file
    private static final int OPEN_CHANNELS = 32;
    private static final int READ_BUFFER = 1 << 16;

    private final String name;
    private final Path root;
    private final List<Path> files;
    private final String cacheKey;
    private final long totalBytes;
    private final Map<Integer, FileChannel> channels = new LinkedHashMap<>(16, 0.75f, true);

    private FileCorpus(String name, Path root, List<Path> files, String cacheKey, long totalBytes) {
        this.name = name;
        this.root = root;
        this.files = files;
        this.cacheKey = cacheKey;
        this.totalBytes = totalBytes;
    }

    /**
     * Lists the text at {@code pathText} (a file or a folder).
     *
     * @throws DataException if the path does not exist, a file is empty or unreadable, or a folder holds no
     *     non-empty regular file
     */
    public static FileCorpus open(String pathText) throws DataException {
        if (pathText == null || pathText.isBlank()) {
            throw new DataException("data_budget.corpus: empty; give wordnet, synthetic or a UTF-8 file or folder path");
        }
        Path path;
        try {
            path = Path.of(pathText).toAbsolutePath().normalize();
        } catch (RuntimeException e) {
            throw new DataException("data_budget.corpus: not a valid path: " + pathText);
        }
        if (!Files.exists(path)) {
            throw new DataException(pathText + ": path does not exist (data_budget.corpus)");
        }
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(path)) {
            try (Stream<Path> walk = Files.walk(path)) {
                walk.filter(p -> !p.equals(path))
                        .filter(p -> !hidden(path, p))
                        .filter(p -> Files.isRegularFile(p))
                        .forEach(files::add);
            } catch (IOException | UncheckedIOException e) {
                throw new DataException(pathText + ": cannot list folder: " + e.getMessage(), e);
            }
            files.sort(Comparator.comparing(p -> relative(path, p)));
        } else if (Files.isRegularFile(path)) {
            files.add(path);
        } else {
            throw new DataException(pathText + ": not a regular file or folder (data_budget.corpus)");
        }
        List<Path> kept = new ArrayList<>();
        StringBuilder fingerprint = new StringBuilder();
        long total = 0;
        for (Path file : files) {
            if (!Files.isReadable(file)) {
                throw new DataException(file + ": file is not readable");
            }
            long size;
            long modified;
            try {
                size = Files.size(file);
                modified = Files.getLastModifiedTime(file).toMillis();
            } catch (IOException e) {
                throw new DataException(file + ": cannot read file attributes: " + e.getMessage(), e);
            }
            if (size == 0) {
                continue;
            }
            if (size >= 1L << OFFSET_BITS) {
                throw new DataException(file + ": file is larger than 1 TB");
            }
            kept.add(file);
            total += size;
            fingerprint.append(file).append('|').append(size).append('|').append(modified).append('\n');
        }
        if (kept.isEmpty()) {
            if (Files.isDirectory(path)) {
                throw new DataException(pathText + ": folder has no readable text files (no non-empty regular files)");
            }
            throw new DataException(pathText + ": file is empty");
        }
        if (kept.size() >= 1 << (63 - OFFSET_BITS)) {
            throw new DataException(pathText + ": folder has too many files (" + kept.size() + ")");
        }
        byte[] fp = fingerprint.toString().getBytes(StandardCharsets.UTF_8);
        String key = "path:" + path + "#" + Long.toHexString(Mix.hashBytes(fp, 0, fp.length));
        return new FileCorpus(pathText, path, List.copyOf(kept), key, total);
    }

    private static boolean hidden(Path root, Path p) {
        for (Path part : root.relativize(p)) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private static String relative(Path root, Path p) {
        return root.relativize(p).toString().replace('\\', '/');
    }

    /** The files read, in order. */
    public List<Path> files() {
        return files;
    }

    /** Bytes on disk over all files (a byte order mark included). */
    public long sizeBytes() {
        return totalBytes;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String cacheKey() {
        return cacheKey;
    }

    @Override
    public OptionalDouble entropyFloorBitsPerByte() {
        return OptionalDouble.empty();
    }

    @Override
    public ChunkCursor chunks() {
        return new FileCursor();
    }

    @Override
    public void read(long ref, int offset, byte[] dst, int dstOffset, int length) {
        int fileIndex = (int) (ref >>> OFFSET_BITS);
        long position = (ref & ((1L << OFFSET_BITS) - 1)) + offset;
        synchronized (channels) {
            try {
                FileChannel channel = channel(fileIndex);
                ByteBuffer buffer = ByteBuffer.wrap(dst, dstOffset, length);
                while (buffer.hasRemaining()) {
                    int n = channel.read(buffer, position);
                    if (n < 0) {
                        throw new IOException("file is shorter than when it was read (changed while in use?)");
                    }
                    position += n;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(files.get(fileIndex) + ": " + e.getMessage(), e);
            }
        }
    }

    private FileChannel channel(int fileIndex) throws IOException {
        FileChannel channel = channels.get(fileIndex);
        if (channel == null) {
            if (channels.size() >= OPEN_CHANNELS) {
                var eldest = channels.entrySet().iterator().next();
                eldest.getValue().close();
                channels.remove(eldest.getKey());
            }
            channel = FileChannel.open(files.get(fileIndex), StandardOpenOption.READ);
            channels.put(fileIndex, channel);
        }
        return channel;
    }

    private final class FileCursor implements ChunkCursor {
        private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        private final CharBuffer scratch = CharBuffer.allocate(Chunker.MAX);
        private int fileIndex = -1;
        private InputStream in;
        private Chunker chunker;

        @Override
        public Chunk next() throws DataException {
            while (true) {
                if (chunker == null) {
                    if (fileIndex + 1 >= files.size()) {
                        return null;
                    }
                    fileIndex++;
                    openFile();
                }
                Path file = files.get(fileIndex);
                byte[] bytes;
                try {
                    bytes = chunker.next();
                } catch (IOException e) {
                    throw new DataException(file + ": cannot read: " + e.getMessage(), e);
                }
                if (bytes == null) {
                    closeFile();
                    continue;
                }
                long offset = chunker.chunkOffset();
                check(file, bytes, offset);
                return new Chunk((long) fileIndex << OFFSET_BITS | offset, bytes);
            }
        }

        private void openFile() throws DataException {
            Path file = files.get(fileIndex);
            try {
                InputStream stream = new BufferedInputStream(Files.newInputStream(file), READ_BUFFER);
                stream.mark(3);
                byte[] head = stream.readNBytes(3);
                long start = 0;
                if (head.length == 3 && (head[0] & 0xFF) == 0xEF && (head[1] & 0xFF) == 0xBB && (head[2] & 0xFF) == 0xBF) {
                    start = 3;
                } else {
                    stream.reset();
                }
                in = stream;
                chunker = new Chunker(stream, start);
            } catch (IOException e) {
                throw new DataException(file + ": cannot open: " + e.getMessage(), e);
            }
        }

        private void check(Path file, byte[] bytes, long offset) throws DataException {
            decoder.reset();
            scratch.clear();
            ByteBuffer input = ByteBuffer.wrap(bytes);
            CoderResult result = decoder.decode(input, scratch, true);
            if (result.isError()) {
                throw new DataException(file + ": not valid UTF-8 at byte offset " + (offset + input.position()));
            }
        }

        private void closeFile() {
            try {
                if (in != null) {
                    in.close();
                }
            } catch (IOException ignored) {
                // read-only stream
            }
            in = null;
            chunker = null;
        }

        @Override
        public void close() {
            closeFile();
            fileIndex = files.size();
        }
    }

    @Override
    public String toString() {
        return "FileCorpus[" + root + ", " + files.size() + " files, " + totalBytes + " bytes]";
    }
}
