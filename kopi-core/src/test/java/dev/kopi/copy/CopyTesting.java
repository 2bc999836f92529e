package dev.kopi.copy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kopi.blob.BlobInfo;
import dev.kopi.blob.BlobStream;
import dev.kopi.blob.Compression;
import dev.kopi.blob.CompressionAlgorithm;
import dev.kopi.digest.Digest;
import dev.kopi.digest.DigestAlgorithm;
import dev.kopi.digest.DigestingInputStream;
import dev.kopi.digest.VerifyingInputStream;
import dev.kopi.image.RawManifest;
import dev.kopi.image.UnparsedImage;
import dev.kopi.manifest.Descriptor;
import dev.kopi.manifest.ImageManifest;
import dev.kopi.manifest.Manifest;
import dev.kopi.manifest.Manifests;
import dev.kopi.policy.PolicyContext;
import dev.kopi.transport.ImageContext;
import dev.kopi.transport.ImageReference;
import dev.kopi.transport.ImageSource;
import dev.kopi.transport.Transports;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Helpers of the copy tests: options, references, and reading an image back through its transport. */
final class CopyTesting {
    private CopyTesting() {
    }

    static ImageReference ref(String imageName) throws IOException {
        return Transports.parseImageName(imageName);
    }

    static ImageContext ctx(Path tmp) {
        return ImageContext.builder().tmpDir(tmp).build();
    }

    /** Options for a copy with the given contexts (tmp dirs set) and the rest default. */
    static Options options(Path tmp) {
        return new Options(ctx(tmp), ctx(tmp));
    }

    /** A small mutable builder over {@link CopyOptions}. */
    static final class Options {
        ImageContext src;
        ImageContext dest;
        String format;
        MultiArch multiArch;
        CompressionAlgorithm compression;
        PolicyContext policy;
        boolean preserveDigests;
        CopyListener listener;

        Options(ImageContext src, ImageContext dest) {
            this.src = src;
            this.dest = dest;
        }

        Options src(ImageContext c) {
            src = c;
            return this;
        }

        Options dest(ImageContext c) {
            dest = c;
            return this;
        }

        Options format(String mt) {
            format = mt;
            return this;
        }

        Options multiArch(MultiArch m) {
            multiArch = m;
            return this;
        }

        Options compression(CompressionAlgorithm a) {
            compression = a;
            return this;
        }

        Options policy(PolicyContext p) {
            policy = p;
            return this;
        }

        Options listener(CopyListener l) {
            listener = l;
            return this;
        }

        Options preserveDigests() {
            preserveDigests = true;
            return this;
        }

        CopyOptions build() {
            return new CopyOptions(src, dest, format, multiArch, false, preserveDigests, compression, null, 0, listener,
                    policy);
        }
    }

    static CopyResult copy(String src, String dest, Options o) throws IOException {
        return Copier.copy(ref(src), ref(dest), o.build());
    }

    /** One layer as read back: the stored blob's digest, size, media type and the digest of its uncompressed form. */
    record Layer(Digest digest, long size, String mediaType, Optional<CompressionAlgorithm> compression,
            Digest diffId) {
    }

    /** An image as read back through a transport's source (every blob verified). */
    record Image(RawManifest manifest, ImageManifest parsed, byte[] config, JsonNode configJson, List<Layer> layers) {
        List<Digest> layerDigests() {
            return layers.stream().map(Layer::digest).toList();
        }

        List<Digest> diffIds() {
            return layers.stream().map(Layer::diffId).toList();
        }

        List<String> configDiffIds() {
            List<String> out = new ArrayList<>();
            configJson.get("rootfs").get("diff_ids").forEach(n -> out.add(n.asText()));
            return out;
        }

        Digest manifestDigest() throws IOException {
            return Manifests.digest(manifest.bytes());
        }
    }

    /** Reads the (single) image {@code imageName}, or the list instance {@code instance}. */
    static Image read(String imageName, ImageContext ctx, Optional<Digest> instance) throws IOException {
        try (ImageSource src = ref(imageName).newImageSource(ctx)) {
            RawManifest raw = new UnparsedImage(src, instance).manifest();
            Manifest m = Manifests.parse(raw.bytes(), raw.mediaType());
            assertThat(m).as("%s is a single image", imageName).isInstanceOf(ImageManifest.class);
            ImageManifest im = (ImageManifest) m;
            byte[] config = readBlob(src, im.config());
            List<Layer> layers = new ArrayList<>();
            for (Descriptor d : im.layers()) {
                try (BlobStream bs = src.openBlob(d.toBlobInfo());
                     VerifyingInputStream v = new VerifyingInputStream(bs.stream(), d.digest(), d.size());
                     BufferedInputStream in = new BufferedInputStream(v)) {
                    Optional<CompressionAlgorithm> alg = Compression.detect(in);
                    InputStream plain = alg.isPresent() ? Compression.decompress(in, alg.get()) : in;
                    DigestingInputStream diff = new DigestingInputStream(plain, DigestAlgorithm.SHA256);
                    diff.transferTo(OutputStreamSink.INSTANCE);
                    v.drain();
                    assertThat(v.verified()).isTrue();
                    layers.add(new Layer(d.digest(), v.count(), d.mediaType(), alg, diff.digest()));
                }
            }
            return new Image(raw, im, config, Manifests.JSON.readTree(config), layers);
        }
    }

    static Image read(String imageName, ImageContext ctx) throws IOException {
        return read(imageName, ctx, Optional.empty());
    }

    static byte[] readBlob(ImageSource src, Descriptor d) throws IOException {
        try (BlobStream bs = src.openBlob(d.toBlobInfo());
             VerifyingInputStream v = new VerifyingInputStream(bs.stream(), d.digest(), d.size())) {
            byte[] b = v.readAllBytes();
            assertThat(v.verified()).isTrue();
            return b;
        }
    }

    static RawManifest topManifest(String imageName, ImageContext ctx) throws IOException {
        try (ImageSource src = ref(imageName).newImageSource(ctx)) {
            return new UnparsedImage(src, Optional.empty()).manifest();
        }
    }

    /** Discards everything. */
    static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }

    static BlobInfo info(Descriptor d) {
        return d.toBlobInfo();
    }
}
