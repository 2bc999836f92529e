package dev.kopi.transport.docker;

import dev.kopi.digest.Digest;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.json.GoJson;
import dev.kopi.log.Log;
import dev.kopi.manifest.Manifests;
import dev.kopi.manifest.MediaTypes;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code delete --tag-only} (beyond skopeo): removes one tag and leaves the manifest it pointed at, and that
 * manifest's other tags, in place.
 *
 * <p>Where the registry supports it, the tag is deleted with the OCI distribution spec's tag DELETE. Otherwise the
 * documented workaround: the tag is pointed at a throw-away manifest made for this one call (a Docker schema2
 * manifest with no layers and a config holding a random nonce, so no other tag or image can share its digest), and
 * that manifest is deleted by digest, which takes the tag with it. Nothing the caller did not name is deleted: the
 * only manifest and blob deleted are the throw-away ones.
 */
public final class TagDeleter {
    /** The label in the throw-away config, so a leftover (a crash mid-way) explains itself. */
    static final String LABEL = "dev.kopi.tag-only-delete";

    private TagDeleter() {
    }

    /** Deletes {@code tag} of {@code client}'s repository; {@code refName} names it in errors. */
    public static void deleteTag(RegistryClient client, String tag, String refName) throws IOException {
        Optional<Digest> current = client.headManifest(tag);
        if (current.isEmpty()) {
            throw new ImageException(ErrorCode.NOT_FOUND, "Unable to delete tag of " + refName
                    + ": the registry has no tag " + tag);
        }
        if (client.deleteTagIfSupported(tag)) {
            Log.debug(() -> "deleted tag " + tag + " with the registry's tag DELETE");
            return;
        }
        Log.debug(() -> "registry cannot delete tag " + tag + " alone: moving it to a throw-away manifest");
        byte[] config = throwAwayConfig(tag);
        Digest configDigest = Digest.sha256(config);
        client.uploadBlob(new ByteArrayInputStream(config), configDigest, config.length);
        byte[] manifest = throwAwayManifest(configDigest, config.length);
        Digest manifestDigest = Manifests.digest(manifest);
        if (manifestDigest.equals(current.get())) {
            throw new IllegalStateException("throw-away manifest has the tagged image's digest");
        }
        client.putManifest(manifest, MediaTypes.DOCKER_V2S2, tag);
        try {
            client.deleteManifest(manifestDigest);
        } catch (ImageException e) {
            throw new ImageException(e.code(), "deleting tag " + tag + " of " + refName + ": the tag now points at "
                    + "the throw-away manifest " + manifestDigest + ", which could not be deleted: " + e.getMessage(),
                    e);
        }
        try {
            client.deleteBlobIfAllowed(configDigest);
        } catch (IOException e) {
            Log.debug(() -> "throw-away config " + configDigest + " left for garbage collection: " + e.getMessage());
        }
    }

    static byte[] throwAwayConfig(String tag) {
        Map<String, Object> labels = new LinkedHashMap<>();
        labels.put(LABEL, tag + " " + UUID.randomUUID());
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("Labels", labels);
        Map<String, Object> rootfs = new LinkedHashMap<>();
        rootfs.put("type", "layers");
        rootfs.put("diff_ids", List.of());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("architecture", "unknown");
        m.put("os", "unknown");
        m.put("config", cfg);
        m.put("rootfs", rootfs);
        return GoJson.marshal(m);
    }

    static byte[] throwAwayManifest(Digest config, long configSize) {
        Map<String, Object> cd = new LinkedHashMap<>();
        cd.put("mediaType", MediaTypes.DOCKER_CONFIG);
        cd.put("size", configSize);
        cd.put("digest", config.toString());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schemaVersion", 2);
        m.put("mediaType", MediaTypes.DOCKER_V2S2);
        m.put("config", cd);
        m.put("layers", List.of());
        return GoJson.marshal(m);
    }
}
