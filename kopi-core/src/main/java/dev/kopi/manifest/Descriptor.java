package dev.kopi.manifest;

import dev.kopi.blob.BlobInfo;
import dev.kopi.digest.Digest;
import dev.kopi.json.GoJson;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A content descriptor (OCI) or Schema2Descriptor (Docker).
 *
 * @param data base64 embedded data ("" when absent)
 * @param platform null when absent
 */
public record Descriptor(String mediaType, Digest digest, long size, List<String> urls, Map<String, String> annotations,
        String data, Platform platform, String artifactType) {
    public Descriptor {
        mediaType = mediaType == null ? "" : mediaType;
        urls = urls == null ? List.of() : List.copyOf(urls);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
        data = data == null ? "" : data;
        artifactType = artifactType == null ? "" : artifactType;
    }

    public Descriptor(String mediaType, Digest digest, long size) {
        this(mediaType, digest, size, null, null, null, null, null);
    }

    public BlobInfo toBlobInfo() {
        return new BlobInfo(digest, size, mediaType, urls, annotations);
    }

    public Descriptor withMediaType(String mt) {
        return new Descriptor(mt, digest, size, urls, annotations, data, platform, artifactType);
    }

    public Descriptor withDigestSize(Digest d, long s) {
        return new Descriptor(mediaType, d, s, urls, annotations, data, platform, artifactType);
    }

    public Descriptor withUrlsAnnotations(List<String> u, Map<String, String> a) {
        return new Descriptor(mediaType, digest, size, u, a, data, platform, artifactType);
    }

    public Descriptor withAnnotations(Map<String, String> a) {
        return new Descriptor(mediaType, digest, size, urls, a, data, platform, artifactType);
    }

    /** Go encoding of an OCI {@code v1.Descriptor}. */
    Map<String, Object> toOciGo() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mediaType", mediaType);
        m.put("digest", digest == null ? "" : digest.toString());
        m.put("size", size);
        if (!urls.isEmpty()) {
            m.put("urls", urls);
        }
        if (!annotations.isEmpty()) {
            m.put("annotations", GoJson.goMap(annotations));
        }
        if (!data.isEmpty()) {
            m.put("data", data);
        }
        if (platform != null) {
            m.put("platform", platform.toGo(false));
        }
        if (!artifactType.isEmpty()) {
            m.put("artifactType", artifactType);
        }
        return m;
    }

    /** Go encoding of a Docker {@code Schema2Descriptor} (and, with a platform, Schema2ManifestDescriptor). */
    Map<String, Object> toDockerGo(boolean withPlatform) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mediaType", mediaType);
        m.put("size", size);
        m.put("digest", digest == null ? "" : digest.toString());
        if (!urls.isEmpty()) {
            m.put("urls", urls);
        }
        if (withPlatform) {
            m.put("platform", (platform == null ? new Platform("", "", "") : platform).toGo(true));
        }
        return m;
    }
}
