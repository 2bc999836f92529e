package dev.kopi.transport.docker;

import dev.kopi.error.InvalidReferenceException;
import dev.kopi.transport.ImageReference;
import dev.kopi.transport.ImageTransport;

/** The {@code docker:} transport. PLACEHOLDER: being written. */
public final class DockerTransport implements ImageTransport {
    public static final DockerTransport INSTANCE = new DockerTransport();

    private DockerTransport() {
    }

    @Override
    public String name() {
        return "docker";
    }

    @Override
    public ImageReference parseReference(String withinTransport) throws InvalidReferenceException {
        throw new InvalidReferenceException("docker: transport not implemented yet");
    }

    @Override
    public void validatePolicyConfigurationScope(String scope) throws InvalidReferenceException {
    }
}
