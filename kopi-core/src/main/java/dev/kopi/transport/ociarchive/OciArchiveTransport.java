package dev.kopi.transport.ociarchive;

import dev.kopi.error.InvalidReferenceException;
import dev.kopi.transport.ImageReference;
import dev.kopi.transport.ImageTransport;

/** The {@code oci-archive:} transport. PLACEHOLDER: being written. */
public final class OciArchiveTransport implements ImageTransport {
    public static final OciArchiveTransport INSTANCE = new OciArchiveTransport();

    private OciArchiveTransport() {
    }

    @Override
    public String name() {
        return "oci-archive";
    }

    @Override
    public ImageReference parseReference(String withinTransport) throws InvalidReferenceException {
        throw new InvalidReferenceException("oci-archive: transport not implemented yet");
    }

    @Override
    public void validatePolicyConfigurationScope(String scope) throws InvalidReferenceException {
    }
}
