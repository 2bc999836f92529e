package dev.kopi.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopi.InspectOptions;
import dev.kopi.Kopi;
import dev.kopi.copy.CopyOptions;
import dev.kopi.error.ImageException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Archives made to attack the reader: entries with "..", absolute paths, symbolic and hard links that point out of
 * the archive, device files, duplicate entries and sizes the data does not have. Each must be rejected with kopi's
 * error or contained; nothing may be written or read outside the archive and the destination. (The
 * containers-storage layer extraction has its own cases in {@code transport.storage.HostileLayerTest}.)
 */
class HostileArchiveTest {
    private static final String SECRET = "host secret, must never be read\n";

    @TempDir
    Path tmp;
    Path outside;
    Path secret;

    @BeforeEach
    void outsideWorld() throws IOException {
        outside = Files.createDirectories(tmp.resolve("outside"));
        secret = outside.resolve("secret");
        Files.writeString(secret, SECRET);
    }

    /** One tar member. */
    record Member(String name, char type, String link, byte[] data, long claimedSize) {
        static Member file(String name, byte[] data) {
            return new Member(name, (char) TarConstants.LF_NORMAL, null, data, data.length);
        }

        static Member file(String name, String text) {
            return file(name, text.getBytes(StandardCharsets.UTF_8));
        }

        static Member symlink(String name, String target) {
            return new Member(name, (char) TarConstants.LF_SYMLINK, target, new byte[0], 0);
        }

        static Member hardlink(String name, String target) {
            return new Member(name, (char) TarConstants.LF_LINK, target, new byte[0], 0);
        }

        static Member device(String name) {
            return new Member(name, (char) TarConstants.LF_CHR, null, new byte[0], 0);
        }

        /** A header that claims {@code size} bytes, followed by far fewer. */
        static Member lying(String name, long size) {
            return new Member(name, (char) TarConstants.LF_NORMAL, null, "short".getBytes(StandardCharsets.UTF_8), size);
        }
    }

    static byte[] tar(List<Member> members) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
            t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            t.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (Member m : members) {
                TarArchiveEntry e = new TarArchiveEntry(m.name(), (byte) m.type(), true);
                if (m.link() != null) {
                    e.setLinkName(m.link());
                }
                if (m.type() == TarConstants.LF_CHR) {
                    e.setDevMajor(1);
                    e.setDevMinor(3);
                }
                e.setMode(m.type() == TarConstants.LF_NORMAL ? 0100644 : 0777);
                e.setSize(m.type() == TarConstants.LF_NORMAL ? m.data().length : 0);
                e.setModTime(1_600_000_000_000L);
                t.putArchiveEntry(e);
                t.write(m.data());
                t.closeArchiveEntry();
            }
        }
        byte[] bytes = out.toByteArray();
        // patch the claimed sizes the writer would not let us lie about (octal size field at offset 124)
        int off = 0;
        for (Member m : members) {
            if (m.claimedSize() != m.data().length && m.type() == TarConstants.LF_NORMAL) {
                int header = findHeader(bytes, m.name(), off);
                byte[] field = String.format("%011o\0", m.claimedSize()).getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(field, 0, bytes, header + 124, 12);
                fixChecksum(bytes, header);
            }
        }
        return bytes;
    }

    private static int findHeader(byte[] tar, String name, int from) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        for (int h = from; h + 512 <= tar.length; h += 512) {
            boolean match = true;
            for (int i = 0; i < n.length && match; i++) {
                match = tar[h + i] == n[i];
            }
            if (match && tar[h + n.length] == 0) {
                return h;
            }
        }
        throw new IllegalStateException("no header for " + name);
    }

    private static void fixChecksum(byte[] tar, int h) {
        for (int i = 148; i < 156; i++) {
            tar[h + i] = ' ';
        }
        long sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += tar[h + i] & 0xff;
        }
        byte[] field = String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(field, 0, tar, h + 148, 8);
    }

    /** The members of the example OCI layout (examples/hello), as an oci-archive holds them. */
    static List<Member> helloLayout() throws IOException {
        Path hello = exampleLayout();
        List<Member> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(hello)) {
            for (Path p : s.sorted().toList()) {
                if (Files.isRegularFile(p)) {
                    out.add(Member.file(hello.relativize(p).toString(), Files.readAllBytes(p)));
                }
            }
        }
        return out;
    }

    static Path exampleLayout() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("examples/hello"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("examples/hello not found above " + Path.of("").toAbsolutePath());
        }
        return p.resolve("examples/hello");
    }

    static Stream<Object[]> ociArchiveAttacks() {
        return Stream.of(
                new Object[] {"dot-dot", (Consumer<List<Member>>) m -> m.add(Member.file("../outside/evil", "x"))},
                new Object[] {"deep dot-dot", (Consumer<List<Member>>) m -> m.add(Member.file("blobs/../../../evil", "x"))},
                new Object[] {"absolute", (Consumer<List<Member>>) m -> m.add(Member.file("/tmp/kopi-hostile-abs", "x"))},
                new Object[] {"symlink out, then write through it", (Consumer<List<Member>>) m -> {
                    m.add(0, Member.symlink("escape", "../outside"));
                    m.add(1, Member.file("escape/evil", "x"));
                }},
                new Object[] {"absolute symlink out, then write through it", (Consumer<List<Member>>) m -> {
                    m.add(0, Member.symlink("abs", "/"));
                    m.add(1, Member.file("abs/tmp/kopi-hostile-abs2", "x"));
                }},
                new Object[] {"hard link out", (Consumer<List<Member>>) m -> m.add(Member.hardlink("hl", "../outside/secret"))},
                new Object[] {"device file", (Consumer<List<Member>>) m -> m.add(Member.device("dev-null"))},
                new Object[] {"duplicate index.json", (Consumer<List<Member>>) m -> m.add(Member.file("index.json", "{}"))},
                new Object[] {"size larger than the data", (Consumer<List<Member>>) m -> m.add(Member.lying("big", 1L << 40))});
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ociArchiveAttacks")
    void ociArchiveEntriesAreRejectedOrContained(String name, Consumer<List<Member>> attack) throws Exception {
        List<Member> members = new ArrayList<>(helloLayout());
        attack.accept(members);
        Path archive = tmp.resolve("work/evil.tar");
        Files.createDirectories(archive.getParent());
        Files.write(archive, tar(members));
        Path dest = tmp.resolve("work/dest");
        try {
            Kopi.copy("oci-archive:" + archive, "dir:" + dest, CopyOptions.defaults());
            // accepted: then the image is the example's, unchanged
            assertThat(Files.readString(dest.resolve("version"))).startsWith("Directory Transport Version");
        } catch (ImageException e) {
            assertThat(e.getMessage()).isNotBlank().doesNotContain("\n");
        }
        assertOutsideUntouched();
        assertThat(Path.of("/tmp/kopi-hostile-abs")).doesNotExist();
        assertThat(Path.of("/tmp/kopi-hostile-abs2")).doesNotExist();
        assertThat(tmp.resolve("evil")).doesNotExist();
    }

    /**
     * A valid image config and layer outside the archive: had kopi followed a link or a path out of the archive,
     * inspect would succeed on them.
     */
    private String plantOutsideImage() throws IOException {
        byte[] layer = tar(List.of(Member.file("etc/hostname", "outside\n")));
        Files.write(outside.resolve("layer.tar"), layer);
        String diffId = dev.kopi.digest.Digest.sha256(layer).toString();
        Files.writeString(outside.resolve("config.json"), "{\"architecture\":\"amd64\",\"os\":\"linux\","
                + "\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + diffId + "\"]}}");
        return diffId;
    }

    @Test
    void dockerArchiveSymlinksOutOfTheArchiveAreNotFollowed() throws Exception {
        plantOutsideImage();
        String manifest = "[{\"Config\":\"config.json\",\"RepoTags\":[\"evil:latest\"],\"Layers\":[\"layer.tar\"]}]";
        for (String dir : List.of(outside.toString(), "../outside", "../../../../../../../.." + outside)) {
            Path archive = tmp.resolve("docker-" + Math.abs(dir.hashCode()) + ".tar");
            Files.write(archive, tar(List.of(Member.file("manifest.json", manifest),
                    Member.symlink("config.json", dir + "/config.json"), Member.symlink("layer.tar", dir + "/layer.tar"))));
            assertThatThrownBy(() -> Kopi.inspect("docker-archive:" + archive, InspectOptions.defaults()))
                    .as("links to %s", dir).isInstanceOf(ImageException.class);
            Path dest = tmp.resolve("dest-" + Math.abs(dir.hashCode()));
            assertThatThrownBy(() -> Kopi.copy("docker-archive:" + archive, "dir:" + dest, CopyOptions.defaults()))
                    .isInstanceOf(ImageException.class);
            assertThat(dest).doesNotExist();
        }
        assertOutsideUntouched();
    }

    @Test
    void dockerArchivePathsWithDotDotStayInsideTheArchive() throws Exception {
        plantOutsideImage();
        for (String dir : List.of("../outside", "../../../../../../../.." + outside, outside.toString())) {
            String manifest = "[{\"Config\":\"" + dir + "/config.json\",\"RepoTags\":[\"evil:latest\"],"
                    + "\"Layers\":[\"" + dir + "/layer.tar\"]}]";
            Path archive = tmp.resolve("dotdot-" + Math.abs(dir.hashCode()) + ".tar");
            Files.write(archive, tar(List.of(Member.file("manifest.json", manifest))));
            assertThatThrownBy(() -> Kopi.inspect("docker-archive:" + archive, InspectOptions.defaults()))
                    .as("paths into %s", dir).isInstanceOf(ImageException.class);
        }
        assertOutsideUntouched();
    }

    @Test
    void sizesTheArchiveDoesNotHaveAreErrorsNotAllocations() throws Exception {
        // a docker-archive whose manifest.json header claims a terabyte
        Path archive = tmp.resolve("huge.tar");
        Files.write(archive, tar(List.of(Member.lying("manifest.json", 1L << 40))));
        assertThatThrownBy(() -> Kopi.inspect("docker-archive:" + archive, InspectOptions.defaults()))
                .isInstanceOf(ImageException.class);
        // and an oci-archive whose index.json does
        List<Member> members = new ArrayList<>();
        members.add(Member.file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}"));
        members.add(Member.lying("index.json", 1L << 40));
        Path oci = tmp.resolve("huge-oci.tar");
        Files.write(oci, tar(members));
        assertThatThrownBy(() -> Kopi.inspect("oci-archive:" + oci, InspectOptions.defaults()))
                .isInstanceOf(ImageException.class);
    }

    private void assertOutsideUntouched() throws IOException {
        try (Stream<Path> s = Files.list(outside)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).isSubsetOf("secret", "config.json", "layer.tar");
        }
        assertThat(secret).hasContent(SECRET.strip());
    }
}
