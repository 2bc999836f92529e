package dev.kopi.transport.daemon;

import dev.kopi.error.InvalidReferenceException;
import dev.kopi.transport.ImageReference;
import dev.kopi.transport.ImageTransport;

/** The {@code docker-daemon:} transport. PLACEHOLDER: being written. */
public final class DockerDaemonTransport implements ImageTransport {
    public static final DockerDaemonTransport INSTANCE = new DockerDaemonTransport();

    private DockerDaemonTransport() {
    }

    @Override
    public String name() {
        return "docker-daemon";
    }

    @Override
    public ImageReference parseReference(String withinTransport) throws InvalidReferenceException {
        throw new InvalidReferenceException("docker-daemon: transport not implemented yet");
    }

    @Override
    public void validatePolicyConfigurationScope(String scope) throws InvalidReferenceException {
    }
}
