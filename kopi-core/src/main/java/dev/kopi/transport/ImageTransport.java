package dev.kopi.transport;

import dev.kopi.error.InvalidReferenceException;

/** A transport: a way to name and reach images ({@code docker}, {@code dir}, {@code oci}, ...). */
public interface ImageTransport {
    /** The name used before the first colon of an image name, e.g. {@code oci-archive}. */
    String name();

    /** Parses the part of an image name after {@code name():}. */
    ImageReference parseReference(String withinTransport) throws InvalidReferenceException;

    /** Checks a policy.json scope for this transport (its syntax only). */
    void validatePolicyConfigurationScope(String scope) throws InvalidReferenceException;
}
