package dev.kopi.error;

/** The one catalogue of failure kinds that callers (and the CLI's exit code) branch on. */
public enum ErrorCode {
    /** The image (or the named manifest) does not exist. The CLI exits with 2. Missing blobs are IO. */
    NOT_FOUND,
    UNAUTHORIZED,
    DENIED,
    DIGEST_MISMATCH,
    SIZE_MISMATCH,
    MANIFEST_TYPE_REJECTED,
    POLICY_REJECTED,
    UNSUPPORTED,
    TOO_MANY_REQUESTS,
    INVALID_INPUT,
    INVALID_REFERENCE,
    IO
}
