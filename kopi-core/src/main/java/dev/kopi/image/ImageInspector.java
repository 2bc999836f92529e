package dev.kopi.image;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kopi.blob.BlobStream;
import dev.kopi.digest.Digest;
import dev.kopi.digest.SizeLimits;
import dev.kopi.digest.VerifyingInputStream;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.digest.DigestAlgorithm;
import dev.kopi.template.GoStruct;
import dev.kopi.template.SkopeoInspectOutput;
import java.util.TreeMap;
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
import java.util.List;
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

    /**
     * The inspect output (skopeo's {@code inspect.Output}) as a typed Go value: printed as JSON by
     * {@link dev.kopi.template.GoJson#marshalIndent}, or through a {@code --format} template.
     *
     * @param digestAlgorithm the manifest digest algorithm; null for the config digest's algorithm
     */
    public static GoStruct inspect(ResolvedImage img, List<String> repoTags, DigestAlgorithm digestAlgorithm)
            throws IOException {
        RawManifest top = img.top().manifest();
        ImageManifest m = img.parsed();
        String name = img.top().source().reference().dockerReference().map(r -> r.name()).orElse(null);
        String tag = null;
        JsonNode cfg;
        boolean pointerCreated;
        if (m instanceof Schema1Manifest s1) {
            tag = s1.tag();
            cfg = Manifests.readTree(s1.v1CompatibilityTopFirst().get(0).getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    "schema1 v1Compatibility");
            pointerCreated = false;
        } else {
            if (m instanceof OciManifest oci && oci.isArtifact()) {
                return inspectArtifact(img, oci, name, repoTags, digestAlgorithm);
            }
            cfg = Manifests.readTree(fetchConfig(img.top().source(), m), "image config");
            pointerCreated = m instanceof OciManifest;
        }
        DigestAlgorithm alg = digestAlgorithm != null ? digestAlgorithm
                : m.config() != null ? m.config().digest().algorithm() : DigestAlgorithm.SHA256;
        OffsetDateTime created = GoTime.parse(ImageConfigs.text(cfg, "created"));
        if (created == null && !pointerCreated) {
            created = OffsetDateTime.of(1, 1, 1, 0, 0, 0, 0, java.time.ZoneOffset.UTC);
        }
        JsonNode c = Manifests.field(cfg, "config");
        List<String> layers = new ArrayList<>();
        List<SkopeoInspectOutput.Layer> layersData = new ArrayList<>();
        for (Descriptor d : m.layers()) {
            layers.add(d.digest().toString());
            // Schema1 layers have no MIME type in containers/image's layer infos.
            layersData.add(new SkopeoInspectOutput.Layer(m instanceof Schema1Manifest ? "" : d.mediaType(),
                    d.digest().toString(),
                    m instanceof Schema1Manifest ? -1L : d.size(),
                    d.annotations().isEmpty() ? null : new TreeMap<>(d.annotations())));
        }
        return SkopeoInspectOutput.of(name, tag, Manifests.digest(top.bytes(), alg).toString(), repoTags, created,
                ImageConfigs.text(cfg, "docker_version"),
                c == null ? null : ImageConfigs.stringMap(Manifests.field(c, "Labels")),
                ImageConfigs.text(cfg, "architecture"), ImageConfigs.text(cfg, "os"), layers, layersData,
                c == null ? null : ImageConfigs.strings(Manifests.field(c, "Env")));
    }

    /**
     * An OCI artifact (its config is not an image config), which skopeo refuses to inspect ("unsupported
     * image-specific operation on artifact"): kopi describes it with the same fields, those an image config would
     * fill left empty, {@code Created} from the manifest's {@code org.opencontainers.image.created} annotation, and
     * an extra {@code ArtifactType} (the manifest's {@code artifactType}, else its config media type).
     */
    private static GoStruct inspectArtifact(ResolvedImage img, OciManifest m, String name, List<String> repoTags,
            DigestAlgorithm digestAlgorithm) throws IOException {
        DigestAlgorithm alg = digestAlgorithm != null ? digestAlgorithm : m.config().digest().algorithm();
        OffsetDateTime created = GoTime.parse(m.annotations().getOrDefault("org.opencontainers.image.created", ""));
        List<String> layers = new ArrayList<>();
        List<SkopeoInspectOutput.Layer> layersData = new ArrayList<>();
        for (Descriptor d : m.layers()) {
            layers.add(d.digest().toString());
            layersData.add(new SkopeoInspectOutput.Layer(d.mediaType(), d.digest().toString(), d.size(),
                    d.annotations().isEmpty() ? null : new TreeMap<>(d.annotations())));
        }
        String type = m.artifactType().isEmpty() ? m.config().mediaType() : m.artifactType();
        return SkopeoInspectOutput.ofArtifact(name, Manifests.digest(img.top().manifest().bytes(), alg).toString(),
                repoTags, created, layers, layersData, type);
    }

    /** Whether a manifest is a Docker schema2 image (used by callers deciding on conversions). */
    public static boolean isSchema2(ImageManifest m) {
        return m instanceof Schema2Manifest;
    }
}
