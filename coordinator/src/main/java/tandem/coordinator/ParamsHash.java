package tandem.coordinator;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.nd4j.linalg.api.ndarray.INDArray;

/** SHA-256 of a flat float32 vector's little-endian bytes: how runs prove they computed the same thing. */
public final class ParamsHash {
    private ParamsHash() {}

    public static String sha256(INDArray flat) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            ByteBuffer bytes = flat.data().asNio().duplicate();
            bytes.position(0).limit(Math.toIntExact(flat.length() * Float.BYTES));
            digest.update(bytes);
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
