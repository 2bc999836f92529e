package dev.kopi.image;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kopi.blob.BlobStream;
import dev.kopi.digest.Digest;
import dev.kopi.digest.SizeLimits;
import dev.kopi.digest.VerifyingInputStream;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.json.GoJson;
import dev.kopi.json.GoTime;
import dev.kopi.manifest.Descriptor;
import dev.kopi.manifest.ImageManifest;
import dev.kopi.manifest.Manifest;
import dev.kopi.manifest.ManifestList;
import dev.kopi.manifest.Manifests;
import dev.kopi.manifest.OciManifest;
import dev.kopi.manifest.PlatformMatcher;
import dev.kopi.manifest.Schema1Manifest;
import dev.kopi.manifest.Schema2Manifest;
import dev.kopi.transport.ImageContext;
import dev.kopi.transport.ImageSource;
import java.io.IOException;
import java.io.InputStream;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What {@code inspect} shows: the resolved single image of a (possibly list) manifest, with its config. */
public final class ImageInspector {
    private ImageInspector() {
    }

    /** A single image resolved from a top-level manifest: its manifest and, for lists, the chosen instance. */
    public record ResolvedImage(UnparsedImage top, RawManifest manifest, ImageManifest parsed,
            Optional<Digest> instance) {
    }

    /** Resolves a list to the instance for the platform in {@code ctx}; a single image resolves to itself. */
    public static ResolvedImage resolve(UnparsedImage top, ImageContext ctx) throws IOException {
        RawManifest raw = top.manifest();
        Manifest m = Manifests.parse(raw.bytes(), raw.mediaType());
        if (m instanceof ManifestList list) {
            Digest d = PlatformMatcher.chooseInstance(list, ctx.overrideOs(), ctx.overrideArch(),
                    ctx.overrideVariant());
            UnparsedImage inst = new UnparsedImage(top.source(), Optional.of(d));
            RawManifest ir = inst.manifest();
            Manifest im = Manifests.parse(ir.bytes(), ir.mediaType());
            if (!(im instanceof ImageManifest single)) {
                throw new ImageException(ErrorCode.INVALID_INPUT, "list instance " + d + " is itself a list");
            }
            return new ResolvedImage(top, ir, single, Optional.of(d));
        }
        return new ResolvedImage(top, raw, (ImageManifest) m, Optional.empty());
    }

    /** Reads and verifies the config blob of an image. */
    public static byte[] fetchConfig(ImageSource src, ImageManifest m) throws IOException {
        Descriptor c = m.config();
        if (c == null) {
            throw new ImageException(ErrorCode.UNSUPPORTED, "schema1 images have no config blob");
        }
        try (BlobStream bs = src.openBlob(c.toBlobInfo());
             InputStream in = new VerifyingInputStream(bs.stream(), c.digest(), c.size())) {
            return SizeLimits.readAtMost(in, SizeLimits.CONFIG, "config blob " + c.digest());
        } catch (ImageException e) {
            throw new ImageException(e.code(), "reading config blob " + c.digest() + ": " + e.getMessage(), e);
        }
    }

    /** The inspect output object (skopeo's {@code inspect.Output}), Go-ordered for {@link GoJson}. */
    public static Map<String, Object> inspect(ResolvedImage img, List<String> repoTags) throws IOException {
        RawManifest top = img.top().manifest();
        ImageManifest m = img.parsed();
        Map<String, Object> out = new LinkedHashMap<>();
        img.top().source().reference().dockerReference().ifPresent(r -> out.put("Name", r.name()));
        JsonNode cfg;
        OffsetDateTime created;
        boolean pointerCreated;
        if (m instanceof Schema1Manifest s1) {
            out.put("Tag", s1.tag());
            cfg = Manifests.readTree(s1.v1CompatibilityTopFirst().get(0).getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    "schema1 v1Compatibility");
            pointerCreated = false;
        } else {
            if (m instanceof OciManifest oci && oci.isArtifact()) {
                throw new ImageException(ErrorCode.UNSUPPORTED, "unsupported image-specific operation on artifact with type \""
                        + oci.config().mediaType() + "\"");
            }
            cfg = Manifests.readTree(fetchConfig(img.top().source(), m), "image config");
            pointerCreated = m instanceof OciManifest;
        }
        if (out.containsKey("Tag") && ((String) out.get("Tag")).isEmpty()) {
            out.remove("Tag");
        }
        Digest configDigest = m.config() == null ? null : m.config().digest();
        out.put("Digest", (configDigest == null ? Manifests.digest(top.bytes())
                : Manifests.digest(top.bytes(), configDigest.algorithm())).toString());
        out.put("RepoTags", repoTags);
        created = GoTime.parse(ImageConfigs.text(cfg, "created"));
        if (created == null && !pointerCreated) {
            out.put("Created", "0001-01-01T00:00:00Z");
        } else {
            out.put("Created", created == null ? null : GoTime.format(created));
        }
        out.put("DockerVersion", ImageConfigs.text(cfg, "docker_version"));
        JsonNode c = Manifests.field(cfg, "config");
        out.put("Labels", c == null ? null : ImageConfigs.stringMap(Manifests.field(c, "Labels")));
        out.put("Architecture", ImageConfigs.text(cfg, "architecture"));
        out.put("Os", ImageConfigs.text(cfg, "os"));
        List<String> layers = new ArrayList<>();
        List<Object> layersData = new ArrayList<>();
        for (Descriptor d : m.layers()) {
            layers.add(d.digest().toString());
            Map<String, Object> ld = new LinkedHashMap<>();
            ld.put("MIMEType", d.mediaType());
            ld.put("Digest", d.digest().toString());
            ld.put("Size", m instanceof Schema1Manifest ? -1L : d.size());
            ld.put("Annotations", d.annotations().isEmpty() ? null : GoJson.goMap(d.annotations()));
            layersData.add(ld);
        }
        out.put("Layers", layers);
        out.put("LayersData", layersData);
        out.put("Env", c == null ? null : ImageConfigs.strings(Manifests.field(c, "Env")));
        return out;
    }

    /** Whether a manifest is a Docker schema2 image (used by callers deciding on conversions). */
    public static boolean isSchema2(ImageManifest m) {
        return m instanceof Schema2Manifest;
    }
}
