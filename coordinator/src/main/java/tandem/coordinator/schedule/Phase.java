package tandem.coordinator.schedule;

import java.util.stream.IntStream;
import java.util.stream.Stream;
import tandem.proto.ShardId;

/**
 * Shards that are all computed on one params version: the S shards of training step {@code version},
 * or the E validation slices of an evaluation of params version {@code version}.
 */
public record Phase(ShardId.Kind kind, long version, int shards) {

    public static Phase train(long step, int shards) {
        return new Phase(ShardId.Kind.TRAIN, step, shards);
    }

    public static Phase eval(long version, int shards) {
        return new Phase(ShardId.Kind.EVAL, version, shards);
    }

    public boolean isTrain() {
        return kind == ShardId.Kind.TRAIN;
    }

    public ShardId shard(int index) {
        return ShardId.newBuilder().setKind(kind).setStep(version).setIndex(index).build();
    }

    public Stream<ShardId> ids() {
        return IntStream.range(0, shards).mapToObj(this::shard);
    }

    /** True if {@code id} is one of this phase's shards. */
    public boolean contains(ShardId id) {
        return id.getKind() == kind && id.getStep() == version && id.getIndex() >= 0 && id.getIndex() < shards;
    }

    @Override
    public String toString() {
        return (isTrain() ? "step " : "eval@") + version;
    }
}
