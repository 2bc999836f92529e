/**
 * Where images live. An {@link dev.kopi.transport.ImageTransport} ({@code dir}, {@code oci}, {@code oci-archive},
 * {@code docker-archive}, {@code docker}, ...) parses the part after {@code transport:} into an immutable
 * {@link dev.kopi.transport.ImageReference}, which opens an {@link dev.kopi.transport.ImageSource} (raw,
 * unverified reads) or an {@link dev.kopi.transport.ImageDestination} (writes that take effect on commit).
 * {@link dev.kopi.transport.ImageContext} carries the per-side settings (skopeo's {@code --src-*} and
 * {@code --dest-*} flags). {@link dev.kopi.transport.Transports} is the list of transports and the image-name
 * grammar. One subpackage per transport holds its implementation.
 */
package dev.kopi.transport;
