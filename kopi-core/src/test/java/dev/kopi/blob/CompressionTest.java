package dev.kopi.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopi.error.ImageException;
import dev.kopi.manifest.MediaTypes;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class CompressionTest {
    private static byte[] fixture(String name) throws IOException {
        try (InputStream in = CompressionTest.class.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }

    private static Optional<CompressionAlgorithm> detect(byte[] b) throws IOException {
        BufferedInputStream in = new BufferedInputStream(new ByteArrayInputStream(b));
        Optional<CompressionAlgorithm> a = Compression.detect(in);
        // detection does not consume anything
        assertThat(in.readAllBytes()).isEqualTo(b);
        return a;
    }

    @ParameterizedTest
    @CsvSource({"Hello.gz, GZIP", "Hello.bz2, BZIP2", "Hello.xz, XZ", "Hello.zst, ZSTD"})
    void detectsAndDecompressesEveryCodec(String file, CompressionAlgorithm alg) throws IOException {
        byte[] data = fixture(file);
        assertThat(detect(data)).contains(alg);
        BufferedInputStream in = new BufferedInputStream(new ByteArrayInputStream(data));
        try (InputStream plain = Compression.decompress(in, Compression.detect(in).orElseThrow())) {
            assertThat(plain.readAllBytes()).isEqualTo(fixture("Hello.uncompressed"));
        }
    }

    @Test
    void uncompressedDataIsNotDetectedAsCompressed() throws IOException {
        assertThat(detect(fixture("Hello.uncompressed"))).isEmpty();
        assertThat(detect(new byte[0])).isEmpty();
        assertThat(detect(new byte[] {0x1f})).isEmpty();
        // a tar header is not a compression magic
        assertThat(detect("etc/\0\0\0\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII))).isEmpty();
        // gzip magic needs the deflate method byte too
        assertThat(detect(new byte[] {0x1f, (byte) 0x8b, 0x07, 0})).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"GZIP", "ZSTD"})
    void compressRoundTrips(CompressionAlgorithm alg) throws IOException {
        byte[] data = new byte[300_000];
        new Random(1).nextBytes(data);
        for (Integer level : new Integer[] {null, 1, 9}) {
            ByteArrayOutputStream bo = new ByteArrayOutputStream();
            try (OutputStream c = Compression.compress(bo, alg, level)) {
                c.write(data);
            }
            assertThat(detect(bo.toByteArray())).contains(alg);
            try (InputStream in = Compression.decompress(new ByteArrayInputStream(bo.toByteArray()), alg)) {
                assertThat(in.readAllBytes()).isEqualTo(data);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"BZIP2", "XZ"})
    void bzip2AndXzCannotBeWritten(CompressionAlgorithm alg) {
        assertThatThrownBy(() -> Compression.compress(new ByteArrayOutputStream(), alg, null))
                .isInstanceOf(ImageException.class).hasMessageContaining("not supported");
    }

    @ParameterizedTest
    @CsvSource(nullValues = "-", value = {
        "application/vnd.oci.image.layer.v1.tar+gzip, GZIP",
        "application/vnd.oci.image.layer.v1.tar+zstd, ZSTD",
        "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip, GZIP",
        "application/vnd.docker.image.rootfs.diff.tar.gzip, GZIP",
        "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip, GZIP",
        "application/vnd.docker.image.rootfs.diff.tar.zstd, ZSTD",
        "application/vnd.oci.image.layer.v1.tar, -",
        "application/vnd.docker.image.rootfs.diff.tar, -",
        "application/octet-stream, -",
    })
    void compressionFromMediaType(String mt, CompressionAlgorithm alg) {
        assertThat(Compression.fromMediaType(mt)).isEqualTo(Optional.ofNullable(alg));
    }

    @ParameterizedTest
    @NullSource
    void noMediaTypeNoCompression(String mt) {
        assertThat(Compression.fromMediaType(mt)).isEmpty();
    }

    @ParameterizedTest(name = "{0} oci={1} {2} -> {3}")
    @CsvSource(nullValues = "-", value = {
        // OCI targets
        "application/vnd.oci.image.layer.v1.tar, true, GZIP, application/vnd.oci.image.layer.v1.tar+gzip",
        "application/vnd.oci.image.layer.v1.tar+gzip, true, ZSTD, application/vnd.oci.image.layer.v1.tar+zstd",
        "application/vnd.oci.image.layer.v1.tar+zstd, true, -, application/vnd.oci.image.layer.v1.tar",
        "application/vnd.docker.image.rootfs.diff.tar.gzip, true, GZIP, application/vnd.oci.image.layer.v1.tar+gzip",
        "application/vnd.oci.image.layer.nondistributable.v1.tar, true, GZIP, application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
        "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip, true, -, application/vnd.oci.image.layer.nondistributable.v1.tar",
        "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip, true, ZSTD, application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
        // Docker targets
        "application/vnd.oci.image.layer.v1.tar+gzip, false, -, application/vnd.docker.image.rootfs.diff.tar",
        "application/vnd.docker.image.rootfs.diff.tar, false, GZIP, application/vnd.docker.image.rootfs.diff.tar.gzip",
        "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip, false, -, application/vnd.docker.image.rootfs.foreign.diff.tar",
        "application/vnd.oci.image.layer.nondistributable.v1.tar, false, GZIP, application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
    })
    void layerMediaTypeAfterACompressionChange(String original, boolean oci, CompressionAlgorithm alg, String expected)
            throws ImageException {
        assertThat(Compression.layerMediaType(original, oci, Optional.ofNullable(alg))).isEqualTo(expected);
    }

    @Test
    void zstdIsRefusedForDockerManifests() {
        assertThatThrownBy(() -> Compression.layerMediaType(MediaTypes.DOCKER_LAYER, false,
                Optional.of(CompressionAlgorithm.ZSTD))).isInstanceOf(ImageException.class)
                .hasMessageContaining("zstd compression is not supported for docker images");
        assertThatThrownBy(() -> Compression.layerMediaType(MediaTypes.OCI_LAYER, true,
                Optional.of(CompressionAlgorithm.XZ))).isInstanceOf(ImageException.class);
    }

    @ParameterizedTest
    @CsvSource({"gzip, GZIP", "zstd, ZSTD", "zstd:chunked, ZSTD", "bzip2, BZIP2", "xz, XZ"})
    void compressFormatNames(String name, CompressionAlgorithm alg) throws ImageException {
        assertThat(CompressionAlgorithm.forWriting(name)).isEqualTo(alg);
        assertThat(alg.cliName()).isEqualTo(name.replace(":chunked", ""));
    }

    @ParameterizedTest
    @ValueSource(strings = {"lz4", "", "GZIP"})
    void unknownCompressFormats(String name) {
        assertThatThrownBy(() -> CompressionAlgorithm.forWriting(name)).isInstanceOf(ImageException.class)
                .hasMessage("cannot find compressor for \"" + name + "\"");
    }
}
