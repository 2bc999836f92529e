package dev.kopi.transport;

import dev.kopi.reference.DockerReference;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * An immutable, parsed image name within one transport. It is an identity and a factory: the identity methods
 * never do I/O and never fail; the {@code new*} methods open the image.
 */
public interface ImageReference {
    /** The transport this reference belongs to. */
    ImageTransport transport();

    /** The reference without the transport prefix; {@code transport().parseReference(s)} round-trips. */
    String stringWithinTransport();

    /** The named Docker reference this image claims to be, if any (e.g. {@code docker.io/library/busybox:latest}). */
    Optional<DockerReference> dockerReference();

    /** The most specific policy.json scope identity of this reference. */
    String policyConfigurationIdentity();

    /** Less specific policy scopes, most specific first. */
    List<String> policyConfigurationNamespaces();

    /** Opens the image for reading. A missing image fails with {@link dev.kopi.error.ErrorCode#NOT_FOUND}. */
    ImageSource newImageSource(ImageContext ctx) throws IOException;

    /** Opens the image for writing. Nothing the user had changes until {@link ImageDestination#commit()}. */
    ImageDestination newImageDestination(ImageContext ctx) throws IOException;

    /** Deletes the image; transports that cannot fail with UNSUPPORTED. */
    void deleteImage(ImageContext ctx) throws IOException;

    /** {@code transport:within}, as the user wrote it. */
    default String imageName() {
        return transport().name() + ":" + stringWithinTransport();
    }
}
