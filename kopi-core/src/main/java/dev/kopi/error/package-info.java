/**
 * Failures: every kopi failure is an {@link dev.kopi.error.ImageException} (a checked
 * {@link java.io.IOException}) whose {@link dev.kopi.error.ErrorCode} says what kind it is, with subclasses for
 * the cases callers act on (a bad reference, a digest mismatch, a rejected manifest type).
 */
package dev.kopi.error;
