package tandem.coordinator.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tandem.protocol.FloatVectors;
import tandem.proto.Checkpoint;
import tandem.proto.ShardId;

class CheckpointStoreTest {
    @TempDir
    Path dir;

    private static Checkpoint at(long step) {
        return Checkpoint.newBuilder().setExperimentId("e").setResumeAt(ShardId.newBuilder().setKind(ShardId.Kind.TRAIN).setStep(step))
                .setParams(FloatVectors.wrap(new float[] {step, step + 0.5f})).build();
    }

    @Test
    void keepsTheLastKAndReadsTheNewest() throws IOException {
        CheckpointStore store = new CheckpointStore(dir);
        for (long step = 10; step <= 50; step += 10) {
            store.write(at(step), 3);
        }
        assertEquals(List.of("ckpt-0000000050.tandem", "ckpt-0000000040.tandem", "ckpt-0000000030.tandem"),
                store.files().stream().map(p -> p.getFileName().toString()).toList());
        assertEquals(at(50), store.newest().orElseThrow().checkpoint());
        try (var files = Files.list(dir)) {
            assertFalse(files.anyMatch(p -> p.toString().endsWith(".tmp")), "no temp file left behind");
        }
    }

    @Test
    void aTruncatedNewestFallsBackToThePreviousOne() throws IOException {
        CheckpointStore store = new CheckpointStore(dir);
        store.write(at(10), 3);
        Path newest = store.write(at(20), 3);
        byte[] bytes = Files.readAllBytes(newest);
        Files.write(newest, Arrays.copyOf(bytes, bytes.length - 3));
        CheckpointStore.Loaded loaded = store.newest().orElseThrow();
        assertEquals(10, loaded.checkpoint().getResumeAt().getStep());
        assertTrue(Files.exists(newest), "a bad checkpoint is skipped, never deleted");
    }

    @Test
    void aFlippedBitIsCaught() throws IOException {
        CheckpointStore store = new CheckpointStore(dir);
        Path only = store.write(at(10), 3);
        byte[] bytes = Files.readAllBytes(only);
        bytes[bytes.length - 2] ^= 1;
        Files.write(only, bytes);
        assertTrue(store.newest().isEmpty());
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(CheckpointStore.CorruptCheckpoint.class, () -> CheckpointStore.read(only));
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
    }

    @Test
    void notACheckpointAtAll() throws IOException {
        Path junk = Files.writeString(dir.resolve("ckpt-0000000099.tandem"), "hello");
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(CheckpointStore.CorruptCheckpoint.class, () -> CheckpointStore.read(junk));
        assertTrue(e.getMessage().contains("header"), e.getMessage());
    }
}
