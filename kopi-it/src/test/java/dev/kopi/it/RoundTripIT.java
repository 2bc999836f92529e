package dev.kopi.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Round trips for every ordered pair of the local transports (dir, oci, oci-archive, docker-archive), for a
 * single-layer image, a multi-layer image and (where both ends can hold one) a three-platform index copied with
 * {@code --multi-arch all}. Both directions: skopeo writes, kopi copies, skopeo reads back; and kopi writes, skopeo
 * copies, kopi reads back. skopeo's own copy of the same thing is the expected result.
 */
class RoundTripIT {
    @TempDir
    static Path shared;

    @TempDir
    Path tmp;

    /** Sources written by kopi, one per (image, transport), shared by the second direction's cases. */
    private static final Map<String, String> KOPI_WRITTEN = new ConcurrentHashMap<>();

    static Stream<Arguments> pairs() {
        List<Arguments> out = new ArrayList<>();
        for (TestImage img : TestImage.values()) {
            for (LocalTransport src : LocalTransport.values()) {
                for (LocalTransport dst : LocalTransport.values()) {
                    if (img.isIndex() && (!src.holdsIndex() || !dst.holdsIndex())) {
                        continue;
                    }
                    out.add(Arguments.of(img, src, dst));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}: {1} -> {2}")
    @MethodSource("pairs")
    void kopiCopiesWhatSkopeoWrote(TestImage img, LocalTransport src, LocalTransport dst) {
        Sandbox sb = new Sandbox(tmp);
        String srcRef = src.ref(sb.root(), "src");
        sb.skopeo(Images.copy(img, false, img.ociRef(), srcRef)).assertSuccess();

        String byKopi = dst.ref(sb.root(), "bykopi");
        String bySkopeo = dst.ref(sb.root(), "byskopeo");
        sb.kopi(Images.copy(img, true, srcRef, byKopi)).assertSuccess();
        sb.skopeo(Images.copy(img, false, srcRef, bySkopeo)).assertSuccess();

        byte[] kopiRaw = sb.skopeo("inspect", "--raw", byKopi).assertSuccess().stdoutBytes();
        byte[] skopeoRaw = sb.skopeo("inspect", "--raw", bySkopeo).assertSuccess().stdoutBytes();
        if (src == LocalTransport.DOCKER_ARCHIVE && (dst == LocalTransport.OCI || dst == LocalTransport.OCI_ARCHIVE)) {
            // docker-archive layers are uncompressed and OCI destinations compress them: Go's and zlib's deflate
            // give different bytes (KNOWN_DIFFERENCES.md). Compare all but the layer digests, then the contents.
            assertThat(Images.maskLayers(new String(kopiRaw))).as("manifest kopi wrote vs skopeo's, layers masked")
                    .isEqualTo(Images.maskLayers(new String(skopeoRaw)));
            Images.assertSameUncompressedLayers(sb, img, byKopi, bySkopeo);
            Images.assertSameInspect(sb.kopi("inspect", byKopi).assertSuccess().stdout(),
                    sb.skopeo("inspect", byKopi).assertSuccess().stdout(), byKopi);
            return;
        }
        assertThat(new String(kopiRaw)).as("manifest kopi wrote vs skopeo's").isEqualTo(new String(skopeoRaw));
        if (!dst.convertsFrom(src)) {
            byte[] srcRaw = sb.skopeo("inspect", "--raw", srcRef).assertSuccess().stdoutBytes();
            assertThat(Trees.sha256(kopiRaw)).as("manifest digest unchanged by a copy without conversion")
                    .isEqualTo(Trees.sha256(srcRaw));
        }
        Images.assertSameImage(sb, img, dst, byKopi, dst.path(sb.root(), "bykopi"), bySkopeo,
                dst.path(sb.root(), "byskopeo"));

        String kopiInspect = sb.kopi("inspect", byKopi).assertSuccess().stdout();
        String skopeoInspect = sb.skopeo("inspect", byKopi).assertSuccess().stdout();
        Images.assertSameInspect(kopiInspect, skopeoInspect, byKopi);
    }

    @ParameterizedTest(name = "{0}: {1} -> {2}")
    @MethodSource("pairs")
    void skopeoCopiesWhatKopiWrote(TestImage img, LocalTransport src, LocalTransport dst) {
        String srcRef = kopiWritten(img, src);
        Sandbox sb = new Sandbox(tmp);
        String dstRef = dst.ref(sb.root(), "byskopeo");
        sb.skopeo(Images.copy(img, false, srcRef, dstRef)).assertSuccess();

        byte[] kopiRaw = sb.kopi("inspect", "--raw", dstRef).assertSuccess().stdoutBytes();
        byte[] skopeoRaw = sb.skopeo("inspect", "--raw", dstRef).assertSuccess().stdoutBytes();
        assertThat(new String(kopiRaw)).as("kopi inspect --raw vs skopeo's of %s", dstRef)
                .isEqualTo(new String(skopeoRaw));

        Path kopiBack = sb.path("kopi-back");
        Path skopeoBack = sb.path("skopeo-back");
        sb.kopi(Images.copy(img, true, dstRef, "dir:" + kopiBack)).assertSuccess();
        sb.skopeo(Images.copy(img, false, dstRef, "dir:" + skopeoBack)).assertSuccess();
        Trees.assertSameTree(kopiBack, skopeoBack, "dir: read back by kopi vs by skopeo");
    }

    /** kopi copies the fixture into {@code t} once per image; checked against skopeo's copy of the same. */
    private static String kopiWritten(TestImage img, LocalTransport t) {
        return KOPI_WRITTEN.computeIfAbsent(img + "/" + t, k -> {
            try {
                Path base = Files.createDirectories(shared.resolve(img.tag() + "-" + t.prefix()));
                Sandbox sb = new Sandbox(base);
                String byKopi = t.ref(base, "kopisrc");
                String bySkopeo = t.ref(base, "skopeosrc");
                sb.kopi(Images.copy(img, true, img.ociRef(), byKopi)).assertSuccess();
                sb.skopeo(Images.copy(img, false, img.ociRef(), bySkopeo)).assertSuccess();
                Images.assertSameImage(sb, img, t, byKopi, t.path(base, "kopisrc"), bySkopeo,
                        t.path(base, "skopeosrc"));
                return byKopi;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }
}
