package tandem.coordinator.checkpoint;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tandem.proto.Checkpoint;

/**
 * Checkpoints of one run in one directory: {@code ckpt-<step>.tandem}, each [magic][SHA-256][payload].
 * Written to a temp file, fsynced, renamed into place, the directory fsynced; the last K kept. Reading
 * takes the newest file that checks out and says why it skipped any other.
 */
public final class CheckpointStore {
    private static final Logger log = LoggerFactory.getLogger(CheckpointStore.class);
    private static final byte[] MAGIC = "TNDMCKP1".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER = MAGIC.length + 32;
    private static final String PREFIX = "ckpt-";
    private static final String SUFFIX = ".tandem";

    private final Path dir;

    public CheckpointStore(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /** Writes {@code checkpoint} atomically, then deletes all but the newest {@code keep}. Returns its path. */
    public Path write(Checkpoint checkpoint, int keep) throws IOException {
        Files.createDirectories(dir);
        byte[] payload = checkpoint.toByteArray();
        Path target = dir.resolve(String.format("%s%010d%s", PREFIX, checkpoint.getResumeAt().getStep(), SUFFIX));
        Path temp = dir.resolve(target.getFileName() + ".tmp");
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            out.write(ByteBuffer.wrap(MAGIC));
            out.write(ByteBuffer.wrap(sha256(payload)));
            out.write(ByteBuffer.wrap(payload));
            out.force(true);
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory();
        List<Path> all = files();
        for (Path old : all.subList(Math.min(keep, all.size()), all.size())) {
            Files.deleteIfExists(old);
        }
        return target;
    }

    /** The newest valid checkpoint, if any; invalid ones are logged and skipped, never deleted. */
    public Optional<Loaded> newest() throws IOException {
        for (Path file : files()) {
            try {
                return Optional.of(new Loaded(file, read(file)));
            } catch (CorruptCheckpoint e) {
                log.warn("skipping checkpoint {}: {}", file, e.getMessage());
            }
        }
        return Optional.empty();
    }

    /** A checkpoint and the file it came from. */
    public record Loaded(Path path, Checkpoint checkpoint) {}

    /** Reads and checks one file. */
    public static Checkpoint read(Path file) throws IOException, CorruptCheckpoint {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length < HEADER || !Arrays.equals(MAGIC, Arrays.copyOf(bytes, MAGIC.length))) {
            throw new CorruptCheckpoint("not a tandem checkpoint (bad header)");
        }
        byte[] payload = Arrays.copyOfRange(bytes, HEADER, bytes.length);
        if (!Arrays.equals(Arrays.copyOfRange(bytes, MAGIC.length, HEADER), sha256(payload))) {
            throw new CorruptCheckpoint("checksum mismatch (truncated or corrupt)");
        }
        try {
            return Checkpoint.parseFrom(payload);
        } catch (InvalidProtocolBufferException e) {
            throw new CorruptCheckpoint("unreadable payload: " + e.getMessage());
        }
    }

    /** Checkpoint files, newest (highest step) first. */
    public List<Path> files() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(dir)) {
            List<Path> files = new ArrayList<>(list.filter(p -> {
                String name = p.getFileName().toString();
                return name.startsWith(PREFIX) && name.endsWith(SUFFIX);
            }).toList());
            files.sort(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed());
            return files;
        }
    }

    private void syncDirectory() {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // Some file systems cannot open a directory for sync; the rename is still atomic.
        }
    }

    private static byte[] sha256(byte[] payload) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(payload);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A checkpoint file that does not check out. */
    public static final class CorruptCheckpoint extends Exception {
        public CorruptCheckpoint(String message) {
            super(message, null, false, false);
        }
    }
}
