package dev.kopi.transport.dockerarchive;

import dev.kopi.error.InvalidReferenceException;
import dev.kopi.transport.ImageReference;
import dev.kopi.transport.ImageTransport;

/** The {@code docker-archive:} transport. PLACEHOLDER: being written. */
public final class DockerArchiveTransport implements ImageTransport {
    public static final DockerArchiveTransport INSTANCE = new DockerArchiveTransport();

    private DockerArchiveTransport() {
    }

    @Override
    public String name() {
        return "docker-archive";
    }

    @Override
    public ImageReference parseReference(String withinTransport) throws InvalidReferenceException {
        throw new InvalidReferenceException("docker-archive: transport not implemented yet");
    }

    @Override
    public void validatePolicyConfigurationScope(String scope) throws InvalidReferenceException {
    }
}
