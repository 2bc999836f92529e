/**
 * Reading images: {@link dev.kopi.image.RawManifest} (a manifest's exact bytes and MIME type),
 * {@link dev.kopi.image.UnparsedImage} (the only way to read a manifest: verified against its digest), and what
 * {@code inspect} shows ({@link dev.kopi.image.ImageInspector}, {@link dev.kopi.image.ImageConfigs}). Programs
 * usually go through {@link dev.kopi.Kopi#open} and {@link dev.kopi.SourceImage}.
 */
package dev.kopi.image;
