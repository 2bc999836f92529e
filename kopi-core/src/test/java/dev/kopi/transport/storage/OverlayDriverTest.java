package dev.kopi.transport.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kopi.copy.Copier;
import dev.kopi.copy.CopyOptions;
import dev.kopi.digest.Digest;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.internal.unix.UnixFiles;
import dev.kopi.transport.ImageContext;
import dev.kopi.transport.Transports;
import dev.kopi.transport.tarball.TestImages;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The overlay driver: whiteouts and opaque directories converted to what overlayfs stores and back, the layer
 * directory layout (diff, link, lower, l/ symlinks), options, and a store round trip through the copier. Creating
 * 0/0 devices and {@code trusted.*} attributes needs root; those tests are skipped otherwise.
 */
class OverlayDriverTest {
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    @TempDir
    Path tmp;

    private static TestTars.Member whiteout(String name) {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setMode(0100600);
        e.setSize(0);
        e.setIds(1234, 5678);
        return new TestTars.Member(e, new byte[0]);
    }

    /** Base: keep.txt, gone.txt, dir/{a,b}.txt. Top: deletes gone.txt, makes dir opaque with c.txt, adds new.txt. */
    static byte[] baseLayer() {
        return TestTars.tar(List.of(TestTars.file("keep.txt", "keep\n"), TestTars.file("gone.txt", "gone\n"),
                TestTars.dir("dir/"), TestTars.file("dir/a.txt", "a\n"), TestTars.file("dir/b.txt", "b\n")));
    }

    static byte[] topLayer() {
        return TestTars.tar(List.of(whiteout(".wh.gone.txt"), TestTars.dir("dir/"), whiteout("dir/.wh..wh..opq"),
                TestTars.file("dir/c.txt", "c\n"), TestTars.file("new.txt", "new\n")));
    }

    private Path apply(byte[] tar, LayerUnpacker.Whiteouts mode) throws IOException {
        Path diff = Files.createDirectories(tmp.resolve("diff"));
        LayerUnpacker.apply(diff, new ByteArrayInputStream(tar), new TarSplit.Packer(new ByteArrayOutputStream()),
                new LayerUnpacker.Options(!ROOT, false, mode));
        return diff;
    }

    @Test
    void whiteoutsBecomeCharacterDevicesAndOpaqueDirectoriesAnAttribute() throws IOException {
        assumeTrue(ROOT, "mknod of a 0/0 device and trusted.* attributes need root");
        Path diff = apply(topLayer(), LayerUnpacker.Whiteouts.OVERLAY);

        Map<String, Object> st = Files.readAttributes(diff.resolve("gone.txt"), "unix:mode,rdev,uid,gid",
                LinkOption.NOFOLLOW_LINKS);
        assertThat(((Integer) st.get("mode")) & 0170000).as("a character device").isEqualTo(0020000);
        assertThat(((Integer) st.get("mode")) & 07777).as("no permission bits").isZero();
        assertThat((Long) st.get("rdev")).as("device 0/0").isZero();
        assertThat(st.get("uid")).as("owned as the whiteout entry was").isEqualTo(1234);
        assertThat(st.get("gid")).isEqualTo(5678);
        assertThat(OverlayWhiteouts.isWhiteout(diff.resolve("gone.txt"))).isTrue();

        assertThat(UnixFiles.lgetxattr(diff.resolve("dir"), "trusted.overlay.opaque")).containsExactly('y');
        assertThat(OverlayWhiteouts.isOpaque(diff.resolve("dir"))).isTrue();
        assertThat(OverlayWhiteouts.isOpaque(diff)).as("the root is not opaque").isFalse();
        assertThat(diff.resolve(".wh.gone.txt")).as("no AUFS file is stored").doesNotExist();
        assertThat(diff.resolve("dir/.wh..wh..opq")).doesNotExist();
        assertThat(diff.resolve("dir/c.txt")).hasContent("c");
        assertThat(diff.resolve("new.txt")).hasContent("new");
    }

    @Test
    void withAMountProgramWhiteoutsStayAufsFiles() throws IOException {
        Path diff = apply(topLayer(), LayerUnpacker.Whiteouts.AUFS_FILES);
        assertThat(diff.resolve(".wh.gone.txt")).isRegularFile().isEmptyFile();
        assertThat(diff.resolve("dir/.wh..wh..opq")).isRegularFile().isEmptyFile();
        assertThat(diff.resolve("gone.txt")).doesNotExist();
        assertThat(OverlayWhiteouts.isOpaque(diff.resolve("dir"))).isFalse();
    }

    /**
     * Reading back: the layer's archive is reassembled from its tar-split data with file contents from the
     * layer's diff (or a lower layer's), so the whiteout entries stored as devices and attributes come back as
     * the {@code .wh.} entries they were, byte for byte.
     */
    @Test
    void storedWhiteoutsReadBackAsTheOriginalArchive() throws IOException {
        assumeTrue(ROOT, "mknod of a 0/0 device and trusted.* attributes need root");
        OverlayDriver d = new OverlayDriver(tmp.resolve("root"), List.of());
        Files.createDirectories(tmp.resolve("root/tmp"));
        List<byte[]> tars = List.of(baseLayer(), topLayer());
        List<byte[]> splits = new ArrayList<>();
        String parent = "";
        for (int i = 0; i < tars.size(); i++) {
            Path staged = tmp.resolve("root/tmp/layer" + i);
            d.createTree(staged, parent);
            ByteArrayOutputStream json = new ByteArrayOutputStream();
            d.applyDiff(staged, new ByteArrayInputStream(tars.get(i)), new TarSplit.Packer(json));
            d.install(staged, "layer" + i);
            splits.add(json.toByteArray());
            parent = "layer" + i;
        }
        assertThat(OverlayWhiteouts.isWhiteout(d.dir("layer1").resolve("diff/gone.txt"))).isTrue();
        assertThat(OverlayWhiteouts.isOpaque(d.dir("layer1").resolve("diff/dir"))).isTrue();
        assertThat(OverlayWhiteouts.isOpaque(d.dir("layer0").resolve("diff/dir"))).isFalse();
        assertThat(d.diffDirs("layer1")).hasSize(2);
        for (int i = 0; i < tars.size(); i++) {
            String id = "layer" + i;
            try (TarSplit.Assembler a = new TarSplit.Assembler(
                    new TarSplit.Unpacker(new ByteArrayInputStream(splits.get(i))),
                    e -> d.openLayerFile(id, e.nameString()))) {
                assertThat(a.readAllBytes()).as("layer %d", i).isEqualTo(tars.get(i));
            }
        }
        assertThat(d.openLayerFile("layer1", "dir/a.txt")).as("a lower layer's file, as c/storage's diff getter")
                .hasContent("a");
        assertThatThrownBy(() -> d.openLayerFile("layer1", "nothing")).isInstanceOf(ImageException.class)
                .hasMessageContaining("no such file or directory");
    }

    @Test
    void aWhiteoutOverAFileOfTheSameLayerFails() throws IOException {
        assumeTrue(ROOT, "mknod of a 0/0 device needs root");
        byte[] tar = TestTars.tar(List.of(TestTars.file("x", "x\n"), whiteout(".wh.x")));
        assertThatThrownBy(() -> apply(tar, LayerUnpacker.Whiteouts.OVERLAY))
                .isInstanceOf(ImageException.class)
                .hasMessageContaining("creating the overlay whiteout")
                .hasMessageContaining("file exists");
    }

    @Test
    void linkIdsAre26Base32Characters() {
        assertThat(OverlayDriver.newLinkId()).matches("[A-Z2-7]{26}");
        assertThat(OverlayDriver.newLinkId()).isNotEqualTo(OverlayDriver.newLinkId());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "overlay.mountopt=nodev|",
        "overlay2.override_kernel_check=true|",
        ".ignore_chown_errors=true|",
        "overlay.mount_program=/usr/bin/fuse-overlayfs|",
        "overlay.bogus=1|overlay: unknown option overlay.bogus",
        "overlay.force_mask=shared|overlay: force_mask is not supported by kopi",
        "overlay.use_composefs=true|overlay: use_composefs=true is not supported by kopi",
        "overlay.ignore_chown_errors=maybe|strconv.ParseBool: parsing \"maybe\": invalid syntax",
        "novalue|unable to parse key/value option: novalue",
    })
    void driverOptions(String option, String error) throws ImageException {
        if (error == null) {
            assertThat(Store.open(new StoreSpec("overlay", "/r", "/rr", List.of(option))).driver().name())
                    .isEqualTo("overlay");
        } else {
            assertThatThrownBy(() -> Store.open(new StoreSpec("overlay", "/r", "/rr", List.of(option))))
                    .isInstanceOf(ImageException.class).hasMessage(error);
        }
    }

    @Test
    void aMountProgramSelectsAufsWhiteouts() throws ImageException {
        assertThat(((OverlayDriver) Store.open(new StoreSpec("overlay", "/r", "/rr",
                List.of("overlay.mount_program=/x"))).driver()).whiteouts())
                .isEqualTo(LayerUnpacker.Whiteouts.AUFS_FILES);
        assertThat(((OverlayDriver) Store.open(new StoreSpec("overlay2", "/r", "/rr", List.of())).driver())
                .whiteouts()).isEqualTo(LayerUnpacker.Whiteouts.OVERLAY);
    }

    @ParameterizedTest
    @CsvSource({"true, AUFS_FILES", "false, OVERLAY", "'', OVERLAY"})
    void aStoreMarkedAsUsedWithAMountProgramKeepsAufsWhiteouts(String flag, LayerUnpacker.Whiteouts expected)
            throws IOException {
        Files.createDirectories(tmp.resolve("root/overlay"));
        Files.writeString(tmp.resolve("root/overlay/.has-mount-program"), flag);
        assertThat(new OverlayDriver(tmp.resolve("root"), List.of()).whiteouts()).isEqualTo(expected);
    }

    private String store() {
        return "containers-storage:[overlay@" + tmp.resolve("root") + "+" + tmp.resolve("run") + "]";
    }

    private void copy(String src, String dest) throws IOException {
        ImageContext ctx = ImageContext.builder().tmpDir(tmp).ociAcceptUncompressedLayers(true).build();
        Copier.copy(Transports.parseImageName(src), Transports.parseImageName(dest),
                new CopyOptions(ctx, ctx, null, null, false, false, null, null, 0, null, null));
    }

    @Test
    void aStoreRoundTripKeepsLayoutAndDigests() throws IOException {
        assumeTrue(ROOT, "overlay whiteouts need root");
        List<byte[]> layers = List.of(baseLayer(), topLayer(), TestTars.tar(List.of(TestTars.file("z", "z\n"))));
        TestImages.ociLayout(tmp.resolve("oci"), TestImages.config(layers), layers);
        copy("oci:" + tmp.resolve("oci"), store() + "localhost/ovl:v1");

        Path home = tmp.resolve("root/overlay");
        List<ObjectNode> recs = StoreRecords.parseArray(
                Files.readAllBytes(tmp.resolve("root/overlay-layers/layers.json")), "layers.json");
        assertThat(recs).hasSize(3);
        List<String> links = new ArrayList<>();
        for (int i = 0; i < recs.size(); i++) {
            String id = StoreRecords.id(recs.get(i));
            Path dir = home.resolve(id);
            assertThat(StoreRecords.diffDigest(recs.get(i))).isEqualTo(Digest.sha256(layers.get(i)).toString());
            String link = Files.readString(dir.resolve("link"));
            assertThat(link).matches("[A-Z2-7]{26}");
            assertThat(Files.readSymbolicLink(home.resolve("l").resolve(link)).toString())
                    .isEqualTo("../" + id + "/diff");
            assertThat(dir.resolve("work")).isDirectory();
            assertThat(dir.resolve("merged")).isDirectory();
            List<String> lowers = new ArrayList<>(links.stream().map(l -> "l/" + l).toList());
            java.util.Collections.reverse(lowers);
            String expectedLower = String.join(":", lowers);
            if (i == 0) {
                assertThat(dir.resolve("empty")).isDirectory();
                assertThat(dir.resolve("lower")).doesNotExist();
                assertThat(Files.getAttribute(dir.resolve("diff"), "unix:mode")).isEqualTo(040555);
            } else {
                assertThat(dir.resolve("empty")).doesNotExist();
                assertThat(dir.resolve("lower")).hasContent(expectedLower);
            }
            links.add(link);
        }
        Path top = home.resolve(StoreRecords.id(recs.get(1))).resolve("diff");
        assertThat(OverlayWhiteouts.isWhiteout(top.resolve("gone.txt"))).isTrue();
        assertThat(OverlayWhiteouts.isOpaque(top.resolve("dir"))).isTrue();
        assertThat(home.resolve(StoreRecords.id(recs.get(0))).resolve("diff/dir/a.txt")).hasContent("a");

        copy(store() + "localhost/ovl:v1", "oci:" + tmp.resolve("out") + ":x");
        JsonNode index = StoreRecords.JSON.readTree(tmp.resolve("out/index.json").toFile());
        String md = index.path("manifests").get(0).path("digest").asText();
        JsonNode man = StoreRecords.JSON.readTree(tmp.resolve("out/blobs/sha256/" + md.substring(7)).toFile());
        List<String> got = new ArrayList<>();
        man.path("layers").forEach(l -> got.add(l.path("digest").asText()));
        assertThat(got).as("the archives are reproduced byte for byte, whiteouts included")
                .isEqualTo(layers.stream().map(l -> Digest.sha256(l).toString()).toList());
    }

    @Test
    void deletingAnImageRemovesLayerDirectoriesAndLinks() throws IOException {
        assumeTrue(ROOT, "overlay whiteouts need root");
        List<byte[]> layers = List.of(baseLayer(), topLayer());
        TestImages.ociLayout(tmp.resolve("oci"), TestImages.config(layers), layers);
        copy("oci:" + tmp.resolve("oci"), store() + "localhost/ovl:v1");
        assertThat(tmp.resolve("root/overlay/l")).isNotEmptyDirectory();
        Transports.parseImageName(store() + "localhost/ovl:v1")
                .deleteImage(ImageContext.builder().tmpDir(tmp).build());
        try (var s = Files.list(tmp.resolve("root/overlay"))) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("l", "staging");
        }
        assertThat(tmp.resolve("root/overlay/staging")).as("nothing left behind").isEmptyDirectory();
        assertThat(tmp.resolve("root/overlay/l")).isEmptyDirectory();
    }

    /**
     * Layers are built inside the driver's home (c/storage bind-mounts it onto itself, so nothing can be renamed
     * into it from outside), in a staging directory locked as c/storage locks its own.
     */
    @Test
    void layersAreStagedInALockedStagingDirectoryInsideTheHome() throws IOException {
        OverlayDriver d = new OverlayDriver(tmp.resolve("root"), List.of());
        Path tree = d.stagingTree(tmp.resolve("root"));
        assertThat(tree.getParent().getParent()).isEqualTo(tmp.resolve("root/overlay/staging"));
        assertThat(tree).doesNotExist();
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(
                tree.getParent().resolve("staging.lock"), java.nio.file.StandardOpenOption.WRITE)) {
            assertThatThrownBy(ch::tryLock).as("held by this process")
                    .isInstanceOf(java.nio.channels.OverlappingFileLockException.class);
        }
        d.createTree(tree, "");
        d.discardTree(tree);
        assertThat(tmp.resolve("root/overlay/staging")).isEmptyDirectory();

        Path again = d.stagingTree(tmp.resolve("root"));
        d.createTree(again, "");
        d.install(again, "abc");
        assertThat(tmp.resolve("root/overlay/abc/diff")).isDirectory();
        assertThat(tmp.resolve("root/overlay/staging")).as("released on install").isEmptyDirectory();
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(tmp.resolve("root/probe"),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE)) {
            assertThat(ch.tryLock()).isNotNull();
        }
    }

    @Test
    void aFailedWriteLeavesNoStagingDirectory() throws IOException {
        assumeTrue(ROOT, "overlay whiteouts need root");
        byte[] bad = TestTars.tar(List.of(TestTars.file("x", "x\n"), whiteout(".wh.x")));
        List<byte[]> layers = List.of(baseLayer(), bad);
        TestImages.ociLayout(tmp.resolve("oci"), TestImages.config(layers), layers);
        assertThatThrownBy(() -> copy("oci:" + tmp.resolve("oci"), store() + "localhost/bad:v1"))
                .hasMessageContaining("creating the overlay whiteout");
        assertThat(tmp.resolve("root/overlay/staging")).isEmptyDirectory();
        try (var s = Files.list(tmp.resolve("root/overlay"))) {
            assertThat(s.filter(p -> p.getFileName().toString().length() == 64).count())
                    .as("only the base layer was installed").isEqualTo(1);
        }
    }

    /** Without root mknod is refused (EPERM: the remedy is named); as root a missing directory makes it fail. */
    @Test
    void whiteoutFailuresNameTheFileAndTheRemedy() {
        Path w = tmp.resolve(ROOT ? "no-such-dir/w" : "w");
        var thrown = assertThatThrownBy(() -> OverlayWhiteouts.makeWhiteout(w))
                .isInstanceOf(ImageException.class)
                .matches(e -> ((ImageException) e).code() == ErrorCode.IO)
                .hasMessageContaining("creating the overlay whiteout \"" + w + "\"");
        if (ROOT) {
            thrown.hasMessageNotContaining("mount_program");
        } else {
            thrown.hasMessageContaining("mount_program");
        }
    }
}
