package tandem.coordinator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small file in the coordinator's state directory that names the checkpoint directory of the run in
 * progress and the last step it finished. A coordinator that starts (after a failover) and finds it
 * resumes that run. No state directory configured: no marker, no automatic resume.
 */
final class RunMarker {
    private static final Logger log = LoggerFactory.getLogger(RunMarker.class);
    private final Path file;

    RunMarker(Path stateDir) {
        this.file = stateDir == null ? null : stateDir.resolve("active-run");
    }

    /** What the marker says: a run was in progress, checkpointing to {@code checkpointDir}, at {@code step}. */
    record Active(Path checkpointDir, long step) {}

    Optional<Active> read() {
        if (file == null || !Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            String[] lines = Files.readString(file, StandardCharsets.UTF_8).split("\n");
            return Optional.of(new Active(Path.of(lines[0]), Long.parseLong(lines[1].trim())));
        } catch (IOException | RuntimeException e) {
            log.warn("ignoring unreadable run marker {}: {}", file, e.toString());
            return Optional.empty();
        }
    }

    void active(Path checkpointDir, long step) {
        if (file == null) {
            return;
        }
        try {
            Files.createDirectories(file.getParent());
            Path temp = file.resolveSibling("active-run.tmp");
            Files.writeString(temp, checkpointDir.toAbsolutePath() + "\n" + step + "\n", StandardCharsets.UTF_8);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            log.warn("cannot write run marker {}: {}", file, e.getMessage());
        }
    }

    void clear() {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                log.warn("cannot remove run marker {}: {}", file, e.getMessage());
            }
        }
    }
}
