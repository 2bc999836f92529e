package dev.kopi.transport.sif;

import dev.kopi.error.InvalidReferenceException;
import dev.kopi.internal.path.LocalPaths;
import dev.kopi.transport.ImageReference;
import dev.kopi.transport.ImageTransport;
import java.nio.file.Path;

/**
 * The {@code sif:} transport (read only): a Singularity Image Format file whose primary squashfs partition is
 * turned into a one-layer OCI image, as containers/image's {@code sif} package does. {@code sif:PATH}; the policy
 * identity is the resolved path and the namespaces are its parent directories.
 */
public final class SifTransport implements ImageTransport {
    public static final SifTransport INSTANCE = new SifTransport();

    private SifTransport() {
    }

    @Override
    public String name() {
        return "sif";
    }

    @Override
    public ImageReference parseReference(String withinTransport) throws InvalidReferenceException {
        return new SifReference(withinTransport, LocalPaths.resolveFullyExplicit(withinTransport));
    }

    /** As containers/image's {@code sifTransport.ValidatePolicyConfigurationScope}, with its texts. */
    @Override
    public void validatePolicyConfigurationScope(String scope) throws InvalidReferenceException {
        if (!scope.startsWith("/")) {
            throw new InvalidReferenceException("Invalid scope " + scope + ": Must be an absolute path");
        }
        if (scope.equals("/")) {
            throw new InvalidReferenceException("Invalid scope \"/\": Use the generic default scope \"\"");
        }
        String cleaned = Path.of(scope).normalize().toString();
        if (!cleaned.equals(scope)) {
            throw new InvalidReferenceException("Invalid scope " + scope
                    + ": Uses non-canonical format, perhaps try " + cleaned);
        }
    }
}
