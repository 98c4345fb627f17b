package tandem.protocol;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import tandem.proto.FloatVector;

/**
 * Float32 vectors on the wire: packed little-endian bytes. Works on ByteBuffers so this module needs no
 * ND4J: pass {@code array.data().asNio()} of a float INDArray. Its bytes are in native order (whatever
 * the buffer's order flag says), so tandem runs only where native order is little-endian (x86, ARM).
 */
public final class FloatVectors {
    private FloatVectors() {}

    /** Copies {@code length} floats from {@code floats} (position 0, little-endian) into a vector. */
    public static FloatVector of(ByteBuffer floats, long length) {
        requireLittleEndianPlatform();
        ByteBuffer slice = floats.duplicate();
        slice.position(0).limit(Math.toIntExact(length * Float.BYTES));
        return FloatVector.newBuilder().setLength(length).setData(ByteString.copyFrom(slice)).build();
    }

    /** Wraps an array the caller will not touch again (no copy). */
    public static FloatVector wrap(float[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values);
        return FloatVector.newBuilder().setLength(values.length)
                .setData(UnsafeByteOperations.unsafeWrap(buffer.array())).build();
    }

    /** Copies the vector into {@code target} (position 0, little-endian), which must hold exactly its length. */
    public static void copyInto(FloatVector vector, ByteBuffer target, long expectedLength) {
        requireLittleEndianPlatform();
        checkShape(vector, expectedLength);
        ByteBuffer out = target.duplicate();
        out.position(0);
        vector.getData().copyTo(out);
    }

    /** Throws if the vector is not {@code expectedLength} floats of well-formed bytes. */
    public static void checkShape(FloatVector vector, long expectedLength) {
        if (vector.getLength() != expectedLength || vector.getData().size() != expectedLength * Float.BYTES) {
            throw new IllegalArgumentException("vector of " + vector.getLength() + " floats (" + vector.getData().size()
                    + " bytes), expected " + expectedLength + " floats");
        }
    }

    /** Reads the vector as a float array (tests and small vectors only). */
    public static float[] toArray(FloatVector vector) {
        float[] values = new float[Math.toIntExact(vector.getLength())];
        vector.getData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        return values;
    }

    private static void requireLittleEndianPlatform() {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new IllegalStateException("tensors travel little-endian; this platform is " + ByteOrder.nativeOrder());
        }
    }
}
