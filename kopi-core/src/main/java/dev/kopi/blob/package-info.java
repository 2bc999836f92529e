/**
 * Blobs (layers and configs): {@link dev.kopi.blob.BlobInfo} (digest, size, media type),
 * {@link dev.kopi.blob.BlobStream} (an open blob), and layer compression ({@link dev.kopi.blob.Compression},
 * {@link dev.kopi.blob.CompressionAlgorithm}).
 */
package dev.kopi.blob;
