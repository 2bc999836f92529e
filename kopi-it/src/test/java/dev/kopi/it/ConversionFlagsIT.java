package dev.kopi.it;

import static dev.kopi.it.FlagsIT.assertNothingWritten;
import static dev.kopi.it.FlagsIT.both;
import static dev.kopi.it.FlagsIT.globalsThenCopy;
import static dev.kopi.it.FlagsIT.layerTypes;
import static dev.kopi.it.FlagsIT.raw;
import static dev.kopi.it.FlagsIT.signedDir;
import static dev.kopi.it.FlagsIT.topDigest;
import static dev.kopi.it.FlagsIT.v2s2Uncompressed;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kopi.it.FlagsIT.Both;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The copy flags that decide whether and how an image is converted, against skopeo 1.9.3 as {@link FlagsIT} does:
 * {@code --preserve-digests} (and signatures, which forbid changes just as it does), and the layer compression
 * flags {@code --dest-compress}, {@code --dest-decompress}, {@code --dest-compress-format},
 * {@code --dest-compress-level}, {@code --dest-oci-accept-uncompressed-layers}.
 */
class ConversionFlagsIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    // ---- --preserve-digests ----

    static Stream<Arguments> preservedCopies() {
        return Stream.of(
                Arguments.of("index --all to dir", List.of("--all"), TestImage.INDEX, "dir"),
                Arguments.of("index-only to oci", List.of("--multi-arch", "index-only"), TestImage.INDEX, "oci"),
                Arguments.of("arm64 instance to dir", List.of("--override-arch", "arm64"), TestImage.INDEX, "dir"),
                Arguments.of("image to oci", List.of(), TestImage.MULTI, "oci"),
                Arguments.of("image --format oci to dir", List.of("--format", "oci"), TestImage.MULTI, "dir"));
    }

    /** Nothing needs converting: allowed, and the destination holds the source's manifest bytes. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("preservedCopies")
    void preserveDigestsWithoutConversion(String name, List<String> flags, TestImage img, String dst) {
        Sandbox sb = new Sandbox(tmp);
        List<String> f = new ArrayList<>(flags);
        f.add("--preserve-digests");
        List<String> a = globalsThenCopy(f);
        a.add(img.ociRef());
        a.add(dst.equals("dir") ? "dir:" + sb.path("%s") : "oci:" + sb.path("%s") + ":t");
        both(sb, a.toArray(String[]::new)).assertSuccess();
        if (dst.equals("dir")) {
            Trees.assertSameTree(sb.path("kopi"), sb.path("skopeo"), name);
        } else {
            Trees.assertSameOciLayout(sb.path("kopi"), sb.path("skopeo"), name);
        }
        String ref = dst.equals("dir") ? "dir:" + sb.path("kopi") : "oci:" + sb.path("kopi") + ":t";
        String srcManifest = flags.contains("--override-arch")
                ? new String(Fixtures.index().instances().get(1).manifest(), java.nio.charset.StandardCharsets.UTF_8)
                : raw(sb, img.ociRef());
        assertThat(raw(sb, ref)).as("manifest at the destination is the source's").isEqualTo(srcManifest);
    }

    static Stream<Arguments> unconvertedCopies() {
        return Stream.of(
                Arguments.of("--format v2s2 to dir", List.of("--format", "v2s2"), "oci", "dir"),
                Arguments.of("--dest-decompress to dir", List.of("--dest-decompress"), "oci", "dir"),
                Arguments.of("--dest-compress-format zstd to oci", List.of("--dest-compress-format", "zstd"), "oci",
                        "oci"),
                Arguments.of("uncompressed v2s2 to oci", List.of(), "v2s2-plain", "oci"),
                Arguments.of("--dest-compress of uncompressed v2s2 to dir", List.of("--dest-compress"), "v2s2-plain",
                        "dir"));
    }

    /**
     * With --preserve-digests skopeo attempts no conversion at all, whatever --format, the compression flags or the
     * destination's preferences ask: manifest and layers are written as they are (containers/image's
     * cannotModifyManifestReason), even a v2s2 manifest into an OCI layout.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("unconvertedCopies")
    void preserveDigestsWritesTheSourceAsItIs(String name, List<String> flags, String source, String dst)
            throws IOException {
        Sandbox sb = new Sandbox(tmp);
        String src = source.equals("oci") ? TestImage.MULTI.ociRef() : v2s2Uncompressed(sb);
        List<String> a = new ArrayList<>(List.of("copy", "--preserve-digests"));
        a.addAll(flags);
        a.add(src);
        a.add(dst.equals("dir") ? "dir:" + sb.path("%s") : "oci:" + sb.path("%s") + ":t");
        both(sb, a.toArray(String[]::new)).assertSuccess();
        if (dst.equals("dir")) {
            Trees.assertSameTree(sb.path("kopi"), sb.path("skopeo"), name);
        } else {
            Trees.assertSameOciLayout(sb.path("kopi"), sb.path("skopeo"), name);
        }
        String srcManifest = raw(sb, src);
        if (dst.equals("dir")) {
            assertThat(sb.path("kopi/manifest.json")).as("manifest at the destination is the source's")
                    .hasContent(srcManifest);
        } else {
            // (skopeo 1.9.3 cannot read a v2s2 manifest back from an OCI layout, so check the stored blob)
            assertThat(topDigest(sb.path("kopi"))).as("manifest at the destination is the source's")
                    .isEqualTo("sha256:" + Trees.sha256(srcManifest.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
    }

    static Stream<Arguments> refusedPreservation() {
        return Stream.of(
                Arguments.of("OCI image to docker-archive", List.of(TestImage.MULTI.ociRef(),
                        "docker-archive:%D.tar")),
                Arguments.of("--all --format v2s2", List.of("--all", "--format", "v2s2", TestImage.INDEX.ociRef(),
                        "dir:%D")),
                Arguments.of("index-only --format v2s2", List.of("--multi-arch", "index-only", "--format", "v2s2",
                        TestImage.INDEX.ociRef(), "dir:%D")),
                Arguments.of("--all to docker-archive", List.of("--all", TestImage.INDEX.ociRef(),
                        "docker-archive:%D.tar")));
    }

    /** A manifest (list) the destination cannot store unconverted: exit 1, skopeo's message, nothing written. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedPreservation")
    void preserveDigestsRefusesWhatNeedsConverting(String name, List<String> args) {
        Sandbox sb = new Sandbox(tmp);
        List<String> a = new ArrayList<>(List.of("copy", "--preserve-digests"));
        for (String x : args) {
            a.add(x.replace("%D", sb.path("%s").toString()));
        }
        Both r = both(sb, a.toArray(String[]::new)).assertExit(1);
        assertThat(r.kopi().assertOneFatalLine()).isEqualTo(r.skopeo().assertOneFatalLine().replace("skopeo", "kopi"));
        assertNothingWritten(sb.path("kopi"));
        assertNothingWritten(sb.path("kopi.tar"));
    }

    /** Signatures forbid changing the manifest just as --preserve-digests does. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"--dest-decompress", "--format=v2s2"})
    void signedImagesAreNotConverted(String flag) throws IOException {
        Sandbox sb = new Sandbox(tmp);
        Path src = signedDir(sb);
        both(sb, "copy", flag, "dir:" + src, "dir:" + sb.path("%s")).assertSuccess();
        Trees.assertSameTree(sb.path("kopi"), sb.path("skopeo"), "signed copy with " + flag);
        assertThat(sb.path("kopi/manifest.json")).hasSameBinaryContentAs(src.resolve("manifest.json"));
        assertThat(sb.path("kopi/signature-1")).exists();
    }

    // ---- compression ----

    /**
     * @param source {@code oci} (the gzip fixture), {@code v2s2-plain} (dir:, v2s2, uncompressed layers) or
     *     {@code oci-zstd} (an OCI layout with zstd layers written by skopeo)
     * @param dst dir, oci or oci-archive
     * @param layerType the layer media type expected at the destination
     */
    record Compress(String source, List<String> flags, String dst, String layerType) {
        @Override
        public String toString() {
            return String.join(" ", flags) + ": " + source + " -> " + dst;
        }
    }

    static Stream<Compress> compressions() {
        String ociGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
        String ociZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
        String ociTar = "application/vnd.oci.image.layer.v1.tar";
        String dockerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";
        String dockerTar = "application/vnd.docker.image.rootfs.diff.tar";
        return Stream.of(
                new Compress("v2s2-plain", List.of("--dest-compress"), "dir", dockerGzip),
                new Compress("v2s2-plain", List.of(), "dir", dockerTar),
                new Compress("oci", List.of("--dest-decompress"), "dir", ociTar),
                new Compress("oci", List.of("--dest-compress-format", "zstd"), "dir", ociGzip),
                new Compress("oci", List.of("--dest-compress-format", "zstd"), "oci", ociZstd),
                new Compress("oci", List.of("--dest-compress-format", "zstd"), "oci-archive", ociZstd),
                new Compress("oci-zstd", List.of("--dest-compress-format", "gzip"), "oci", ociGzip),
                new Compress("oci-zstd", List.of(), "oci", ociZstd),
                new Compress("oci-zstd", List.of("--dest-decompress"), "dir", ociTar),
                new Compress("v2s2-plain", List.of(), "oci", ociGzip),
                new Compress("v2s2-plain", List.of("--dest-compress-format", "gzip"), "oci", ociGzip),
                new Compress("v2s2-plain", List.of("--dest-compress-format", "zstd"), "oci", ociZstd),
                new Compress("v2s2-plain", List.of("--dest-compress-format", "zstd", "--dest-compress-level", "19"),
                        "oci", ociZstd),
                new Compress("v2s2-plain", List.of("--dest-compress-format", "gzip", "--dest-compress-level", "1"),
                        "oci", ociGzip),
                new Compress("v2s2-plain", List.of("--dest-oci-accept-uncompressed-layers"), "oci", ociTar));
    }

    /**
     * The layer media types kopi writes are skopeo's, everything else in the manifest too, and skopeo reads kopi's
     * result to the same uncompressed layers. Compressed bytes may differ (KNOWN_DIFFERENCES.md); where no layer is
     * (re)compressed the destinations must be identical.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("compressions")
    void layerCompression(Compress c) throws IOException {
        Sandbox sb = new Sandbox(tmp);
        String src = switch (c.source()) {
            case "oci" -> TestImage.MULTI.ociRef();
            case "v2s2-plain" -> v2s2Uncompressed(sb);
            case "oci-zstd" -> {
                String ref = "oci:" + sb.path("src-zstd") + ":t";
                sb.skopeo("copy", "--dest-compress-format", "zstd", TestImage.MULTI.ociRef(), ref).assertSuccess();
                yield ref;
            }
            default -> throw new IllegalArgumentException(c.source());
        };
        List<String> a = new ArrayList<>(List.of("copy"));
        a.addAll(c.flags());
        a.add(src);
        a.add(switch (c.dst()) {
            case "dir" -> "dir:" + sb.path("%s");
            case "oci" -> "oci:" + sb.path("%s") + ":t";
            default -> "oci-archive:" + sb.path("%s") + ".tar:t";
        });
        both(sb, a.toArray(String[]::new)).assertSuccess();
        String kopiRef = a.get(a.size() - 1).replace("%s", "kopi");
        String skopeoRef = a.get(a.size() - 1).replace("%s", "skopeo");
        String kopiManifest = raw(sb, kopiRef);
        String skopeoManifest = raw(sb, skopeoRef);
        assertThat(layerTypes(kopiManifest)).as("layer media types").containsOnly(c.layerType())
                .containsExactlyElementsOf(layerTypes(skopeoManifest));
        String srcCompression = switch (c.source()) {
            case "oci" -> "gzip";
            case "oci-zstd" -> "zstd";
            default -> "";
        };
        // Decompressing gives identical bytes; compressing may not (Go's deflate and zstd vs the JDK's and zstd-jni).
        boolean recompressed = !c.layerType().endsWith(".tar")
                && (srcCompression.isEmpty() || !c.layerType().endsWith(srcCompression));
        if (recompressed) {
            assertThat(Images.maskLayers(kopiManifest)).as("manifest, layer digests and sizes masked")
                    .isEqualTo(Images.maskLayers(skopeoManifest));
            Images.assertSameUncompressedLayers(sb, TestImage.MULTI, kopiRef, skopeoRef);
        } else {
            assertThat(kopiManifest).as("manifest").isEqualTo(skopeoManifest);
            if (c.dst().equals("dir")) {
                Trees.assertSameTree(sb.path("kopi"), sb.path("skopeo"), c.toString());
            } else if (c.dst().equals("oci")) {
                Trees.assertSameOciLayout(sb.path("kopi"), sb.path("skopeo"), c.toString());
            }
        }
    }

    static Stream<Arguments> compressionFormatLimits() {
        String docker = "application/vnd.docker.distribution.manifest.v2+json";
        return Stream.of(
                Arguments.of(List.of("--dest-compress-format", "zstd", "--format", "v2s2"), "oci", "dir",
                        "compression using zstd required together with format " + docker
                                + ", which does not support it"),
                Arguments.of(List.of("--dest-compress-format", "zstd"), "oci", "docker-archive",
                        "compression using zstd required but the destination only supports MIME types [" + docker
                                + "], none of which support it"),
                Arguments.of(List.of("--dest-compress-format", "bzip2"), "oci", "dir",
                        "compression using bzip2 required, but none of the known manifest formats support it"),
                Arguments.of(List.of("--dest-compress-format", "xz"), "oci", "oci",
                        "compression using xz required but the destination only supports MIME types "
                                + "[application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json]"
                                + ", none of which support it"),
                Arguments.of(List.of("--dest-compress-format", "lz4"), "oci", "dir",
                        "cannot find compressor for \\\"lz4\\\""),
                Arguments.of(List.of("--dest-compress", "--dest-compress-format", "zstd"), "v2s2-plain", "dir",
                        null));
    }

    /**
     * Newest skopeo only: a --dest-compress-format other than gzip limits the manifest types to those that can
     * describe it (zstd: OCI), converting to OCI where the destination allows and refusing otherwise; bzip2 and xz
     * are known names no manifest format supports. skopeo 1.9.3 ignores the format where it cannot apply it
     * (KNOWN_DIFFERENCES.md), so these cases check newest skopeo's messages (c/image copy/manifest.go).
     */
    @ParameterizedTest(name = "{0}: {1} -> {2}")
    @MethodSource("compressionFormatLimits")
    @Tag(FailureIT.NEWEST)
    void compressionFormatLimitsManifestTypes(List<String> flags, String source, String dst, String error)
            throws IOException {
        Sandbox sb = new Sandbox(tmp);
        String src = source.equals("oci") ? TestImage.MULTI.ociRef() : v2s2Uncompressed(sb);
        List<String> a = new ArrayList<>(List.of("copy"));
        a.addAll(flags);
        a.add(src);
        a.add(switch (dst) {
            case "dir" -> "dir:" + sb.path("kopi");
            case "oci" -> "oci:" + sb.path("kopi") + ":t";
            default -> "docker-archive:" + sb.path("kopi");
        });
        CommandResult r = sb.kopi(a.toArray(String[]::new));
        if (error != null) {
            assertThat(r.assertExit(1).assertOneFatalLine()).isEqualTo(error);
            assertNothingWritten(sb.path("kopi"));
            return;
        }
        r.assertSuccess();
        String m = raw(sb, "dir:" + sb.path("kopi"));
        assertThat(JSON.readTree(m).path("mediaType").asText()).as("converted to OCI for zstd")
                .isEqualTo("application/vnd.oci.image.manifest.v1+json");
        assertThat(layerTypes(m)).containsOnly("application/vnd.oci.image.layer.v1.tar+zstd");
        // skopeo reads it: the same layers as its own uncompressed OCI conversion
        sb.skopeo("copy", "--format", "oci", src, "dir:" + sb.path("skopeo")).assertSuccess();
        Images.assertSameUncompressedLayers(sb, TestImage.MULTI, "dir:" + sb.path("kopi"),
                "dir:" + sb.path("skopeo"));
    }

    /** --dest-compress-level reaches the compressor: level 1 output is bigger than level 9 (19 for zstd). */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gzip", "zstd"})
    void compressionLevelIsUsed(String format) throws IOException {
        Sandbox sb = new Sandbox(tmp);
        String src = v2s2Uncompressed(sb);
        String best = format.equals("gzip") ? "9" : "19";
        long fast = 0;
        long small = 0;
        for (String level : List.of("1", best)) {
            String ref = "oci:" + sb.path("level-" + level) + ":t";
            sb.kopi("copy", "-q", "--dest-compress-format", format, "--dest-compress-level", level, src, ref)
                    .assertSuccess();
            long total = 0;
            for (JsonNode l : JSON.readTree(raw(sb, ref)).path("layers")) {
                total += l.path("size").asLong();
            }
            if (level.equals("1")) {
                fast = total;
            } else {
                small = total;
            }
        }
        assertThat(fast).as("%s level 1 output vs level %s", format, best).isGreaterThan(small);
    }
}
