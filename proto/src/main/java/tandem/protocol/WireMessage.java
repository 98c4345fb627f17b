package tandem.protocol;

import com.google.protobuf.Message;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A message that crosses nodes: a protobuf body plus, at most, one actor reference (who sent it or
 * where answers go). {@link ProtocolSerializer} writes the body as protobuf and the reference through
 * {@code ActorRefResolver}; nothing else is ever put on the wire.
 */
public interface WireMessage {
    Message body();

    /** The reference that travels with the body, or null. */
    ActorRef<?> ref();
}
