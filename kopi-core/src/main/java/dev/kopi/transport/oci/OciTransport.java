package dev.kopi.transport.oci;

import dev.kopi.error.InvalidReferenceException;
import dev.kopi.transport.ImageReference;
import dev.kopi.transport.ImageTransport;

/** The {@code oci:} transport. PLACEHOLDER: being written. */
public final class OciTransport implements ImageTransport {
    public static final OciTransport INSTANCE = new OciTransport();

    private OciTransport() {
    }

    @Override
    public String name() {
        return "oci";
    }

    @Override
    public ImageReference parseReference(String withinTransport) throws InvalidReferenceException {
        throw new InvalidReferenceException("oci: transport not implemented yet");
    }

    @Override
    public void validatePolicyConfigurationScope(String scope) throws InvalidReferenceException {
    }
}
