/**
 * kopi as a Java library. Start with {@link dev.kopi.Kopi}: {@code copy}, {@code open}/{@code inspect},
 * {@code listTags}, {@code delete} and {@code parseImageName}, over the same {@code transport:reference} image
 * names as the {@code kopi} command line.
 *
 * <p>The packages a program touches:
 * <ul>
 *   <li>{@link dev.kopi.copy}: {@link dev.kopi.copy.CopyOptions}, {@link dev.kopi.copy.CopyListener} (progress),
 *       {@link dev.kopi.copy.CopyResult};</li>
 *   <li>{@link dev.kopi.transport}: {@link dev.kopi.transport.ImageReference} (a parsed image name) and
 *       {@link dev.kopi.transport.ImageContext} (credentials, TLS, platform, temporary directory);</li>
 *   <li>{@link dev.kopi.image}, {@link dev.kopi.manifest}, {@link dev.kopi.digest}: raw manifests, parsed
 *       manifests, media types and digests;</li>
 *   <li>{@link dev.kopi.error}: {@link dev.kopi.error.ImageException} and its {@link dev.kopi.error.ErrorCode};</li>
 *   <li>{@link dev.kopi.policy}: the trust policy ({@code policy.json}) a copy checks.</li>
 * </ul>
 * Packages named {@code internal} are not part of the API and change without notice; so may the helpers the
 * command line uses for skopeo compatibility ({@code template}, {@code json}, {@code config}, {@code log}).
 */
package dev.kopi;
