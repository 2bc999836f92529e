package dev.kopi.copy;

import dev.kopi.blob.CompressionAlgorithm;
import dev.kopi.transport.ImageContext;

/**
 * Options of one copy.
 *
 * @param forceManifestType {@code --format} as a MIME type, null to keep the source's where possible
 * @param multiArch what to copy of a list
 * @param removeSignatures {@code --remove-signatures}
 * @param preserveDigests {@code --preserve-digests}: fail rather than change any digest
 * @param compressionFormat {@code --dest-compress-format}, null for gzip when compressing
 * @param compressionLevel {@code --dest-compress-level}, null for the default
 * @param maxParallel layers copied at once
 * @param policy the trust policy checked on the source before anything is copied; null accepts anything
 */
public record CopyOptions(ImageContext sourceContext, ImageContext destinationContext, String forceManifestType,
        MultiArch multiArch, boolean removeSignatures, boolean preserveDigests, CompressionAlgorithm compressionFormat,
        Integer compressionLevel, int maxParallel, CopyListener listener, dev.kopi.policy.PolicyContext policy) {
    public CopyOptions {
        sourceContext = sourceContext == null ? ImageContext.defaults() : sourceContext;
        destinationContext = destinationContext == null ? ImageContext.defaults() : destinationContext;
        multiArch = multiArch == null ? MultiArch.SYSTEM : multiArch;
        listener = listener == null ? CopyListener.NONE : listener;
        if (maxParallel <= 0) {
            maxParallel = 6;
        }
    }

    public static CopyOptions defaults() {
        return new CopyOptions(null, null, null, null, false, false, null, null, 0, null, null);
    }
}
