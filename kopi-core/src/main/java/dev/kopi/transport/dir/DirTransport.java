package dev.kopi.transport.dir;

import dev.kopi.error.InvalidReferenceException;
import dev.kopi.transport.ImageReference;
import dev.kopi.transport.ImageTransport;

/** The {@code dir:} transport. PLACEHOLDER: being written. */
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
        throw new InvalidReferenceException("dir: transport not implemented yet");
    }

    @Override
    public void validatePolicyConfigurationScope(String scope) throws InvalidReferenceException {
    }
}
