package dev.kopi.transport.storage;

import dev.kopi.error.InvalidReferenceException;
import dev.kopi.transport.ImageReference;
import dev.kopi.transport.ImageTransport;

/** The {@code containers-storage:} transport. PLACEHOLDER: being written. */
public final class StorageTransport implements ImageTransport {
    public static final StorageTransport INSTANCE = new StorageTransport();

    private StorageTransport() {
    }

    @Override
    public String name() {
        return "containers-storage";
    }

    @Override
    public ImageReference parseReference(String withinTransport) throws InvalidReferenceException {
        throw new InvalidReferenceException("containers-storage: transport not implemented yet");
    }

    @Override
    public void validatePolicyConfigurationScope(String scope) throws InvalidReferenceException {
    }
}
