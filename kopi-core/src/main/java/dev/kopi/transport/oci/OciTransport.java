package dev.kopi.transport.oci;

import dev.kopi.error.InvalidReferenceException;
import dev.kopi.internal.path.LocalPaths;
import dev.kopi.transport.ImageTransport;

/** The {@code oci:PATH[:REF|:@INDEX]} transport: an OCI image layout directory. */
public final class OciTransport implements ImageTransport {
    public static final OciTransport INSTANCE = new OciTransport();

    private OciTransport() {
    }

    @Override
    public String name() {
        return "oci";
    }

    @Override
    public OciReference parseReference(String withinTransport) throws InvalidReferenceException {
        return OciReference.parse(withinTransport, "oci");
    }

    @Override
    public void validatePolicyConfigurationScope(String scope) throws InvalidReferenceException {
        LocalPaths.validatePathScope(scope);
    }
}
