/**
 * Content digests: {@link dev.kopi.digest.Digest} ({@code algorithm:hex}, validated),
 * {@link dev.kopi.digest.DigestAlgorithm}, streams that compute or verify a digest while data passes
 * ({@link dev.kopi.digest.DigestingInputStream}, {@link dev.kopi.digest.VerifyingInputStream}), and the size caps
 * for small documents ({@link dev.kopi.digest.SizeLimits}).
 */
package dev.kopi.digest;
