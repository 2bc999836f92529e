package dev.kopi.error;

/** The one catalogue of failure kinds that callers (and the CLI's exit code) branch on. */
public enum ErrorCode {
    /** The image (or the named manifest) does not exist. The CLI exits with 2. Missing blobs are IO. */
    NOT_FOUND,
    /** The registry rejected the credentials, or asked for some and none were given. */
    UNAUTHORIZED,
    /** The registry refused access to the repository with the credentials given. */
    DENIED,
    /** Data did not match the digest that names it (a corrupt or tampered blob or manifest). */
    DIGEST_MISMATCH,
    /** A blob was shorter or longer than its descriptor says. */
    SIZE_MISMATCH,
    /** The destination does not accept the manifest type (a copy then tries the next type). */
    MANIFEST_TYPE_REJECTED,
    /** The trust policy (policy.json) does not allow the image. */
    POLICY_REJECTED,
    /** The transport or format cannot do what was asked (e.g. deleting from an archive). */
    UNSUPPORTED,
    /** The registry asked to slow down (HTTP 429); worth retrying later. */
    TOO_MANY_REQUESTS,
    /** Bad input: a flag, an option combination, or a malformed document. */
    INVALID_INPUT,
    /** An image name or reference that does not parse. */
    INVALID_REFERENCE,
    /** A failure to read or write (files, network) that no other code describes. */
    IO,
    /** The operation was stopped because its thread was interrupted (see {@link dev.kopi.Kopi#copy}). */
    CANCELLED
}
