package dev.kopi.signature;

import java.util.Arrays;

/**
 * A signature as transports store it: the bytes in containers/image's signature blob format (a simple-signing
 * signature is stored as its raw OpenPGP bytes; other formats start with a NUL byte and a format name line).
 */
public record Signature(byte[] blob) {
    public Signature {
        blob = blob.clone();
    }

    @Override
    public byte[] blob() {
        return blob.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Signature s && Arrays.equals(blob, s.blob);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(blob);
    }

    @Override
    public String toString() {
        return "Signature[" + blob.length + " bytes]";
    }
}
