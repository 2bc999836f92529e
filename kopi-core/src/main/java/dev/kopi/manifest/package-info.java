/**
 * Manifest formats as immutable values: Docker schema1 and schema2, Docker manifest lists, OCI manifests and
 * indexes ({@link dev.kopi.manifest.Manifests#parse} picks the type), their {@link dev.kopi.manifest.Descriptor}s,
 * {@link dev.kopi.manifest.MediaTypes}, and platform matching for lists ({@link dev.kopi.manifest.PlatformMatcher}).
 * Serialising a value gives canonical bytes; the bytes that were read stay in {@link dev.kopi.image.RawManifest}.
 */
package dev.kopi.manifest;
