package tandem.app.ctl;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;

/** Reads what {@code tandem ctl --json} prints (the API's JSON) back into its protobuf message: for scripts and tests on the JVM. */
public final class CtlJson {
    private CtlJson() {}

    /**
     * @param type the message's default instance, e.g. {@code Status.getDefaultInstance()}
     * @throws IllegalArgumentException if {@code json} is not that message
     */
    @SuppressWarnings("unchecked")
    public static <M extends Message> M parse(String json, M type) {
        Message.Builder builder = type.newBuilderForType();
        try {
            JsonFormat.parser().ignoringUnknownFields().merge(json, builder);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("not a " + type.getDescriptorForType().getName() + ": " + e.getMessage(), e);
        }
        return (M) builder.build();
    }
}
