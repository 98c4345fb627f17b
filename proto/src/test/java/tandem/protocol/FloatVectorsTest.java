package tandem.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import tandem.proto.FloatVector;

class FloatVectorsTest {

    @Test
    void bytesArePackedLittleEndian() {
        FloatVector v = FloatVectors.wrap(new float[] {1.0f, -2.5f});
        ByteBuffer expected = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.0f).putFloat(-2.5f);
        assertArrayEquals(expected.array(), v.getData().toByteArray());
        assertEquals(2, v.getLength());
    }

    @Test
    void roundTripThroughBuffers() {
        float[] values = {0f, 1e-30f, Float.MAX_VALUE, -3.25f, Float.MIN_VALUE};
        ByteBuffer direct = ByteBuffer.allocateDirect(values.length * 4).order(ByteOrder.nativeOrder());
        direct.asFloatBuffer().put(values);
        FloatVector v = FloatVectors.of(direct, values.length);
        assertArrayEquals(values, FloatVectors.toArray(v));
        ByteBuffer target = ByteBuffer.allocateDirect(values.length * 4).order(ByteOrder.nativeOrder());
        FloatVectors.copyInto(v, target, values.length);
        float[] back = new float[values.length];
        target.asFloatBuffer().get(back);
        assertArrayEquals(values, back);
    }

    @Test
    void wrongLengthIsRejected() {
        FloatVector v = FloatVectors.wrap(new float[3]);
        assertThrows(IllegalArgumentException.class, () -> FloatVectors.copyInto(v, ByteBuffer.allocateDirect(16), 4));
    }
}
