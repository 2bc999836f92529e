package dev.kopi.transport.dir;

import dev.kopi.error.InvalidReferenceException;
import dev.kopi.internal.path.LocalPaths;
import dev.kopi.transport.ImageReference;
import dev.kopi.transport.ImageTransport;

/** The {@code dir:} transport: skopeo's directory layout (version, manifest.json, blobs by hex digest). */
public final class DirTransport implements ImageTransport {
    public static final DirTransport INSTANCE = new DirTransport();

    private DirTransport() {
    }

    @Override
    public String name() {
        return "dir";
    }

    @Override
    public ImageReference parseReference(String withinTransport) throws InvalidReferenceException {
        return new DirReference(withinTransport, LocalPaths.resolveFullyExplicit(withinTransport));
    }

    @Override
    public void validatePolicyConfigurationScope(String scope) throws InvalidReferenceException {
        LocalPaths.validatePathScope(scope);
    }
}
