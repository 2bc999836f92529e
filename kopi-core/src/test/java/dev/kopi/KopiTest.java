package dev.kopi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopi.blob.BlobInfo;
import dev.kopi.copy.CopyListener;
import dev.kopi.copy.CopyOptions;
import dev.kopi.copy.CopyResult;
import dev.kopi.digest.Digest;
import dev.kopi.digest.DigestAlgorithm;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.blob.BlobStream;
import dev.kopi.image.RawManifest;
import dev.kopi.reference.DockerReference;
import dev.kopi.signature.Signature;
import dev.kopi.transport.ImageDestination;
import dev.kopi.transport.ImageReference;
import dev.kopi.transport.ImageSource;
import dev.kopi.transport.ImageTransport;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Optional;
import dev.kopi.manifest.MediaTypes;
import dev.kopi.testkit.FileTrees;
import dev.kopi.testkit.ImageSpec;
import dev.kopi.testkit.LayerSpec;
import dev.kopi.testkit.TestImages;
import dev.kopi.testkit.WrittenImage;
import dev.kopi.testkit.WrittenIndex;
import dev.kopi.transport.ImageContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The library facade: copy, inspect, list-tags, delete and cancellation through {@link Kopi}. */
class KopiTest {
    @TempDir
    Path tmp;

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted(); // a failed assertion must not leave the JUnit thread interrupted
    }

    private ImageContext ctx() {
        return ImageContext.builder().tmpDir(tmp).build();
    }

    private CopyOptions options() {
        return CopyOptions.defaults().withContexts(ctx(), ctx());
    }

    @Test
    void copiesByNameAndInspectsTheResult() throws Exception {
        Path src = tmp.resolve("src");
        WrittenImage img = TestImages.multiLayer(src, "t", 11);
        Path dest = tmp.resolve("dest");
        Map<Digest, Long> done = new ConcurrentHashMap<>();
        CopyListener l = new CopyListener() {
            @Override
            public void blobDone(BlobInfo info, boolean isConfig) {
                done.put(info.digest(), info.size());
            }
        };
        CopyResult r = Kopi.copy("oci:" + src + ":t", "dir:" + dest, options().withListener(l));

        assertThat(r.manifestDigest()).isEqualTo(img.manifestDigest());
        assertThat(done.keySet()).containsAll(img.layers()).contains(img.configDigest());
        InspectResult info = Kopi.inspect("dir:" + dest, InspectOptions.defaults().withContext(ctx()));
        assertThat(info.digest()).isEqualTo(img.manifestDigest());
        assertThat(info.layers()).containsExactlyElementsOf(img.layers().stream().map(Digest::toString).toList());
        assertThat(info.manifest().bytes()).isEqualTo(r.manifest());
        assertThat(info.config()).isPresent();
        assertThat(Digest.sha256(info.config().get())).isEqualTo(img.configDigest());
        assertThat(info.json()).startsWith("{\n    \"Digest\": \"" + img.manifestDigest() + "\",\n");
        assertThat(info.output().field("Architecture").value()).isEqualTo("amd64");
    }

    @Test
    void inspectOfAListDescribesThePlatformImageAndKeepsTheListRaw() throws Exception {
        Path src = tmp.resolve("src");
        WrittenIndex idx = TestImages.multiPlatform(src, "t", 3);
        ImageContext arm64 = ImageContext.builder().tmpDir(tmp).overrideOs("linux").overrideArch("arm64").build();
        try (SourceImage img = Kopi.open("oci:" + src + ":t", arm64)) {
            assertThat(img.isList()).isTrue();
            assertThat(img.manifest().bytes()).isEqualTo(idx.index());
            WrittenImage want = idx.instances().get(1);
            assertThat(img.instanceDigest()).contains(want.manifestDigest());
            assertThat(img.instanceManifest().bytes()).isEqualTo(want.manifest());
            assertThat(Digest.sha256(img.config())).isEqualTo(want.configDigest());
            assertThat(img.ociConfig()).containsEntry("architecture", "arm64");
            assertThat(img.repositoryTags()).isEmpty();
            // skopeo's Digest is the one of the top-level manifest (here the index)
            assertThat(img.inspect(List.of(), DigestAlgorithm.SHA512).field("Digest").value())
                    .isEqualTo(Digest.compute(DigestAlgorithm.SHA512, idx.index()).toString());
        }
        InspectResult r = Kopi.inspect("oci:" + src + ":t", new InspectOptions(arm64, false, null));
        assertThat(r.manifest().mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
        assertThat(r.digest()).isEqualTo(idx.indexDigest());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "nocolon|dir:/x|Invalid source name nocolon: Invalid image name \"nocolon\", expected colon-separated transport:reference",
        "dir:/x|bogus:y|Invalid destination name bogus:y: Invalid image name \"bogus:y\", unknown transport \"bogus\"",
    })
    void copyNamesTheSideOfABadName(String src, String dest, String message) {
        assertThatThrownBy(() -> Kopi.copy(src, dest, null))
                .isInstanceOf(ImageException.class)
                .hasMessage(message)
                .satisfies(e -> assertThat(((ImageException) e).code()).isEqualTo(ErrorCode.INVALID_REFERENCE));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "busybox|INVALID_INPUT|Invalid \"busybox\": does not specify a transport",
        "bogus:busybox|INVALID_INPUT|Invalid \"bogus:busybox\": does not specify a transport",
        "oci:/x|UNSUPPORTED|Unsupported transport 'oci' for tag listing. Only supported: docker",
        "docker:busybox|INVALID_INPUT|docker: image reference docker:busybox does not start with docker://",
        "docker://busybox:1|INVALID_INPUT|No tag or digest allowed in reference",
    })
    void listTagsRejectsWhatSkopeoRejects(String name, ErrorCode code, String message) {
        assertThatThrownBy(() -> Kopi.listTags(name, ctx()))
                .isInstanceOf(ImageException.class)
                .hasMessage(message)
                .satisfies(e -> assertThat(((ImageException) e).code()).isEqualTo(code));
    }

    @Test
    void deleteGoesToTheTransport() throws Exception {
        Path src = tmp.resolve("src");
        TestImages.multiLayer(src, "a", 1);
        assertThatThrownBy(() -> Kopi.delete("dir:" + src, ctx()))
                .isInstanceOf(ImageException.class)
                .hasMessage("Deleting images not implemented for dir: images")
                .satisfies(e -> assertThat(((ImageException) e).code()).isEqualTo(ErrorCode.UNSUPPORTED));
        assertThatThrownBy(() -> Kopi.delete("nocolon", ctx()))
                .satisfies(e -> assertThat(((ImageException) e).code()).isEqualTo(ErrorCode.INVALID_REFERENCE));
    }

    @Test
    void openingAMissingImageIsNotFound() throws Exception {
        TestImages.multiLayer(tmp.resolve("src"), "a", 1);
        assertThatThrownBy(() -> Kopi.open("oci:" + tmp.resolve("src") + ":x", ctx()).close())
                .satisfies(e -> assertThat(ImageException.hasCode(e, ErrorCode.NOT_FOUND)).isTrue());
    }

    @Test
    void parseImageNameAndDigest() throws Exception {
        assertThat(Kopi.parseImageName("oci:/a/b:t").imageName()).isEqualTo("oci:/a/b:t");
        assertThat(Kopi.transports()).contains("dir", "oci", "oci-archive", "docker-archive", "docker");
        byte[] m = "{\"schemaVersion\":2}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(Kopi.manifestDigest(m, null)).isEqualTo(Digest.sha256(m));
    }

    /** Writes another image to each kind of destination, so there is something that must stay intact. */
    private String existingDestination(String kind, Path base) throws Exception {
        Path other = tmp.resolve("other");
        TestImages.multiLayer(other, "o", 1234);
        String name = switch (kind) {
            case "oci" -> "oci:" + base + ":new";
            case "dir" -> "dir:" + base;
            case "oci-archive" -> "oci-archive:" + base + ":new";
            case "docker-archive" -> "docker-archive:" + base + ":kopi/new:1";
            default -> throw new IllegalArgumentException(kind);
        };
        if (!kind.equals("docker-archive")) {
            Kopi.copy("oci:" + other + ":o", kind.equals("oci") ? "oci:" + base + ":old" : name, options());
        }
        return name;
    }

    /**
     * Interrupting the thread that runs a copy stops it within a few blocks and leaves the destination as it was.
     * Layers are copied in parallel to oci: and dir:, one after the other to the archives. The "socket" source
     * serves its blobs from streams that ignore interrupts, as a registry's sockets do: only the facade's
     * cancellation stops those; local files stop by themselves (their channels close on interrupt).
     */
    @ParameterizedTest(name = "{0} source to {1}")
    @CsvSource({"file, oci", "file, dir", "file, oci-archive", "file, docker-archive",
        "socket, oci", "socket, dir", "socket, oci-archive", "socket, docker-archive"})
    void interruptingTheCallerCancelsTheCopy(String source, String kind) throws Exception {
        Path src = tmp.resolve("src");
        long layer = 4L * 1024 * 1024;
        TestImages.writeImage(src, "t", ImageSpec.of(List.of(LayerSpec.random(layer, 1), LayerSpec.random(layer, 2),
                LayerSpec.random(layer, 3))).withGzipLevel(0));
        Path dest = tmp.resolve("dest" + (kind.endsWith("archive") ? ".tar" : ""));
        String destName = existingDestination(kind, dest);
        Map<String, String> before = FileTrees.snapshot(dest);
        Map<String, String> siblingsBefore = FileTrees.siblings(dest);

        Thread caller = Thread.currentThread();
        AtomicLong bytes = new AtomicLong();
        AtomicLong afterInterrupt = new AtomicLong(-1);
        Map<Digest, Boolean> finished = new ConcurrentHashMap<>();
        CopyListener interrupter = new CopyListener() {
            @Override
            public void blobProgress(BlobInfo info, long bytesDone) {
                long total = bytes.addAndGet(65536);
                if (total >= 512 * 1024 && afterInterrupt.compareAndSet(-1, 0)) {
                    caller.interrupt();
                } else if (afterInterrupt.get() >= 0) {
                    afterInterrupt.incrementAndGet();
                }
            }

            @Override
            public void blobDone(BlobInfo info, boolean isConfig) {
                finished.put(info.digest(), isConfig);
            }
        };
        ImageReference srcRef = Kopi.parseImageName("oci:" + src + ":t");
        if (source.equals("socket")) {
            srcRef = new UninterruptibleSource(srcRef);
        }
        ImageReference from = srcRef;
        assertThatThrownBy(() -> Kopi.copy(from, Kopi.parseImageName(destName), options().withListener(interrupter)))
                .isInstanceOf(ImageException.class)
                .hasMessage("copying oci:" + src + ":t to " + Kopi.parseImageName(destName).imageName() + ": interrupted")
                .satisfies(e -> assertThat(((ImageException) e).code()).isEqualTo(ErrorCode.CANCELLED));
        assertThat(Thread.interrupted()).as("interrupt status kept").isTrue();

        // Stopped early: no layer finished, and little was read once the interrupt came (blocks already handed to
        // a compressing thread may still be reported; a layer is 64 blocks).
        assertThat(finished.values()).doesNotContain(false);
        assertThat(afterInterrupt.get()).isBetween(0L, 16L);
        assertThat(FileTrees.snapshot(dest)).isEqualTo(before);
        assertThat(FileTrees.siblings(dest)).isEqualTo(siblingsBefore);
        try (var files = Files.list(tmp)) {
            // only the test's own directories: no staging files of the copy stay behind in the tmp dir
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("dest")).sorted())
                    .containsExactly("other", "src");
        }
    }

    /** A source whose blob streams ignore interrupts (read into memory first), like a registry's sockets. */
    private record UninterruptibleSource(ImageReference delegate) implements ImageReference {
        @Override
        public ImageTransport transport() {
            return delegate.transport();
        }

        @Override
        public String stringWithinTransport() {
            return delegate.stringWithinTransport();
        }

        @Override
        public Optional<DockerReference> dockerReference() {
            return delegate.dockerReference();
        }

        @Override
        public String policyConfigurationIdentity() {
            return delegate.policyConfigurationIdentity();
        }

        @Override
        public List<String> policyConfigurationNamespaces() {
            return delegate.policyConfigurationNamespaces();
        }

        @Override
        public ImageSource newImageSource(ImageContext ctx) throws IOException {
            ImageSource s = delegate.newImageSource(ctx);
            return new ImageSource() {
                @Override
                public ImageReference reference() {
                    return UninterruptibleSource.this;
                }

                @Override
                public RawManifest fetchManifest(Optional<Digest> instance) throws IOException {
                    return s.fetchManifest(instance);
                }

                @Override
                public BlobStream openBlob(BlobInfo info) throws IOException {
                    byte[] all;
                    try (BlobStream b = s.openBlob(info)) {
                        all = b.stream().readAllBytes();
                    }
                    return new BlobStream(new ByteArrayInputStream(all), all.length);
                }

                @Override
                public List<Signature> fetchSignatures(Optional<Digest> instance) throws IOException {
                    return s.fetchSignatures(instance);
                }

                @Override
                public void close() throws IOException {
                    s.close();
                }
            };
        }

        @Override
        public ImageDestination newImageDestination(ImageContext ctx) throws IOException {
            throw new UnsupportedOperationException();
        }

        @Override
        public void deleteImage(ImageContext ctx) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void anInterruptedThreadDoesNotStartACopy() throws Exception {
        Path src = tmp.resolve("src");
        TestImages.multiLayer(src, "t", 5);
        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> Kopi.copy("oci:" + src + ":t", "dir:" + tmp.resolve("d"), options()))
                .isInstanceOf(ImageException.class)
                .satisfies(e -> assertThat(((ImageException) e).code()).isEqualTo(ErrorCode.CANCELLED));
        assertThat(Thread.interrupted()).isTrue();
        assertThat(tmp.resolve("d")).doesNotExist();
    }

    @Test
    void aCopyThatIsNotInterruptedIsUnaffected() throws Exception {
        Path src = tmp.resolve("src");
        WrittenImage img = TestImages.multiLayer(src, "t", 8, 3 * 1024 * 1024, 2 * 1024 * 1024);
        CopyResult r = Kopi.copy(Kopi.parseImageName("oci:" + src + ":t"),
                Kopi.parseImageName("oci:" + tmp.resolve("d") + ":x"), options());
        assertThat(r.manifestDigest()).isEqualTo(img.manifestDigest());
        RawManifest m;
        try (SourceImage copied = Kopi.open("oci:" + tmp.resolve("d") + ":x", ctx())) {
            m = copied.manifest();
        }
        assertThat(m.bytes()).isEqualTo(img.manifest());
    }
}
