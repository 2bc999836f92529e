package dev.kopi.blob;

import dev.kopi.digest.Digest;
import java.util.List;
import java.util.Map;

/**
 * What is known about a blob: its digest (null when not yet known, e.g. a stream about to be compressed),
 * its size (-1 when unknown), media type, foreign-layer URLs and annotations.
 */
public record BlobInfo(Digest digest, long size, String mediaType, List<String> urls, Map<String, String> annotations) {
    public BlobInfo {
        urls = urls == null ? List.of() : List.copyOf(urls);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    public BlobInfo(Digest digest, long size, String mediaType) {
        this(digest, size, mediaType, List.of(), Map.of());
    }

    public BlobInfo withDigestAndSize(Digest d, long s) {
        return new BlobInfo(d, s, mediaType, urls, annotations);
    }

    public BlobInfo withMediaType(String mt) {
        return new BlobInfo(digest, size, mt, urls, annotations);
    }
}
