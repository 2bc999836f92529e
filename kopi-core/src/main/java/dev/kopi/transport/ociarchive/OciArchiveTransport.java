package dev.kopi.transport.ociarchive;

import dev.kopi.error.InvalidReferenceException;
import dev.kopi.internal.path.LocalPaths;
import dev.kopi.transport.ImageTransport;
import dev.kopi.transport.oci.OciReference;

/** The {@code oci-archive:FILE[:REF]} transport: a tar of an OCI image layout. */
public final class OciArchiveTransport implements ImageTransport {
    public static final OciArchiveTransport INSTANCE = new OciArchiveTransport();

    private OciArchiveTransport() {
    }

    @Override
    public String name() {
        return "oci-archive";
    }

    @Override
    public OciArchiveReference parseReference(String withinTransport) throws InvalidReferenceException {
        int colon = withinTransport.indexOf(':');
        String file = colon < 0 ? withinTransport : withinTransport.substring(0, colon);
        String image = colon < 0 ? "" : withinTransport.substring(colon + 1);
        if (image.startsWith("@")) {
            throw new InvalidReferenceException("Invalid image " + image);
        }
        OciReference layoutRef = OciReference.parse(file + (image.isEmpty() ? "" : ":" + image), name());
        return new OciArchiveReference(file, LocalPaths.resolveFullyExplicit(file), image, layoutRef);
    }

    @Override
    public void validatePolicyConfigurationScope(String scope) throws InvalidReferenceException {
        LocalPaths.validatePathScope(scope);
    }
}
