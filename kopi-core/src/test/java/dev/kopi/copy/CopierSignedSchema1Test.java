package dev.kopi.copy;

import static dev.kopi.copy.CopyTesting.copy;
import static dev.kopi.copy.CopyTesting.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopi.digest.Digest;
import dev.kopi.error.ImageException;
import dev.kopi.manifest.Manifests;
import dev.kopi.manifest.MediaTypes;
import dev.kopi.testkit.DirImages;
import dev.kopi.testkit.FileTrees;
import dev.kopi.testkit.Skopeo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Copying Docker schema1 images (signed with a libtrust "pretty" JWS) between dir: images keeps them as they are. */
class CopierSignedSchema1Test {
    @TempDir
    Path tmp;

    private static final String TOP = "a".repeat(64);
    private static final String BASE = "b".repeat(64);

    /** Writes a signed schema1 dir: image; returns the digest of its (unsigned) payload. */
    private Digest writeSignedSchema1(Path dir) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("version"), DirImages.VERSION);
        byte[] l1 = DirImages.gzip(DirImages.layerTar("base.txt", "base\n"));
        byte[] l2 = DirImages.gzip(DirImages.layerTar("top.txt", "top\n"));
        Digest d1 = Digest.sha256(l1);
        Digest d2 = Digest.sha256(l2);
        Files.write(dir.resolve(d1.encoded()), l1);
        Files.write(dir.resolve(d2.encoded()), l2);
        String payload = "{\n   \"schemaVersion\": 1,\n   \"name\": \"kopi/s1\",\n   \"tag\": \"latest\",\n"
                + "   \"architecture\": \"amd64\",\n   \"fsLayers\": [\n"
                + "      {\n         \"blobSum\": \"" + d2 + "\"\n      },\n"
                + "      {\n         \"blobSum\": \"" + d1 + "\"\n      }\n   ],\n"
                + "   \"history\": [\n"
                + "      {\n         \"v1Compatibility\": \"{\\\"id\\\":\\\"" + TOP + "\\\",\\\"parent\\\":\\\"" + BASE
                + "\\\",\\\"created\\\":\\\"2020-01-02T03:04:05.5Z\\\",\\\"architecture\\\":\\\"amd64\\\","
                + "\\\"os\\\":\\\"linux\\\",\\\"config\\\":{\\\"Env\\\":[\\\"A=1\\\"],\\\"Labels\\\":{\\\"l\\\":\\\"v\\\"}}}\"\n"
                + "      },\n"
                + "      {\n         \"v1Compatibility\": \"{\\\"id\\\":\\\"" + BASE
                + "\\\",\\\"created\\\":\\\"2020-01-01T00:00:00Z\\\"}\"\n      }\n   ]\n}";
        byte[] unsigned = payload.getBytes(StandardCharsets.UTF_8);
        // libtrust's pretty signature: the payload up to formatLength, then the signatures, then formatTail
        int formatLength = unsigned.length - 2;
        String tail = Base64.getUrlEncoder().withoutPadding().encodeToString("\n}".getBytes(StandardCharsets.UTF_8));
        String protectedHeader = Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("{\"formatLength\":" + formatLength + ",\"formatTail\":\"" + tail + "\",\"time\":\"2020-01-01T00:00:00Z\"}")
                        .getBytes(StandardCharsets.UTF_8));
        String signed = payload.substring(0, payload.length() - 2) + ",\n   \"signatures\": [\n      {\n"
                + "         \"header\": {\n            \"alg\": \"ES256\"\n         },\n"
                + "         \"signature\": \"c2lnbmF0dXJl\",\n"
                + "         \"protected\": \"" + protectedHeader + "\"\n      }\n   ]\n}";
        Files.writeString(dir.resolve("manifest.json"), signed);
        assertThat(Manifests.guessMimeType(signed.getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(MediaTypes.DOCKER_V2S1_SIGNED);
        return Digest.sha256(unsigned);
    }

    @Test
    void signedSchema1IsCopiedAsItIs() throws Exception {
        Path src = tmp.resolve("s1");
        Digest payloadDigest = writeSignedSchema1(src);
        Path ours = tmp.resolve("ours");
        CopyResult r = copy("dir:" + src, "dir:" + ours, options(tmp));
        assertThat(r.mediaType()).isEqualTo(MediaTypes.DOCKER_V2S1_SIGNED);
        // the digest of a signed schema1 manifest is that of its payload
        assertThat(r.manifestDigest()).isEqualTo(payloadDigest);
        assertThat(Files.readAllBytes(ours.resolve("manifest.json")))
                .isEqualTo(Files.readAllBytes(src.resolve("manifest.json")));
        if (Skopeo.installed()) {
            Path theirs = tmp.resolve("theirs");
            Skopeo.copy("dir:" + src, "dir:" + theirs);
            assertThat(FileTrees.snapshot(ours)).isEqualTo(FileTrees.snapshot(theirs));
            assertThat(new String(Skopeo.run("manifest-digest", src.resolve("manifest.json").toString()),
                    StandardCharsets.UTF_8).trim()).isEqualTo(payloadDigest.toString());
        }
    }

    @Test
    void preserveDigestsKeepsSchema1() throws Exception {
        Path src = tmp.resolve("s1");
        Digest payloadDigest = writeSignedSchema1(src);
        CopyResult r = copy("dir:" + src, "dir:" + tmp.resolve("d"), options(tmp).preserveDigests());
        assertThat(r.manifestDigest()).isEqualTo(payloadDigest);
    }
}
