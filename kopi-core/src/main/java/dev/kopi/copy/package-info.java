/**
 * Copying images between transports, as skopeo's {@code copy}: {@link dev.kopi.copy.CopyOptions} (the flags),
 * {@link dev.kopi.copy.CopyListener} (progress events), {@link dev.kopi.copy.CopyResult}. Programs call
 * {@link dev.kopi.Kopi#copy}, which adds cancellation by thread interruption; {@link dev.kopi.copy.Copier} is the
 * engine underneath.
 */
package dev.kopi.copy;
