package dev.kopi.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kopi.testkit.SifWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code sif:} against skopeo 1.9.3, on SIF files the test writes itself ({@link SifWriter} around a squashfs from
 * {@code mksquashfs}), with and without a definition file that has %environment and %runscript.
 *
 * <p><b>Why digests are compared masked.</b> The conversion (the same in kopi and containers/image:
 * {@code fakeroot} running {@code unsquashfs} then {@code tar --acls --xattrs -cpf}) is not reproducible: with
 * {@code --acls --xattrs} GNU tar writes POSIX (pax) headers that record each file's {@code atime} and
 * {@code ctime}, and ctime is the moment unsquashfs created the file; the injected {@code /podman/runscript} and
 * its directory also get the current time as mtime. So two skopeo runs on one file already give different layer
 * digests, hence different config digests (the config names the layer) and manifest digests. What must match, and
 * is compared here: every tar entry (order, name, type, mode, owner, names, size, content, link target, mtime
 * except for the injected /podman entries, pax records other than the times), the config byte for byte once the
 * layer digest is masked, the manifest byte for byte once the digests are masked (sizes included), the inspect
 * output likewise, and the error texts.
 */
class SifIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DEF = "Bootstrap: docker\nFrom: busybox\n\n%environment\n    export GREETING=hi\n"
            + "    # a comment\n\n%runscript\n    echo \"$GREETING $@\"\n\n    exec /bin/tool\n%labels\n    a b\n";
    private static final List<String> TIMES = List.of("atime", "ctime", "mtime");

    @TempDir
    static Path files;
    private static Path plain;
    private static Path withDef;

    @TempDir
    Path tmp;

    @BeforeAll
    static void writeSifFiles() throws IOException {
        Tools.mksquashfs();
        Tools.unsquashfs();
        Tools.fakeroot();
        Path tree = files.resolve("tree");
        SifWriter.sampleTree(tree);
        Path sqfs = SifWriter.mksquashfs(tree, files.resolve("rootfs.sqfs"));
        UUID id = UUID.fromString("0badc0de-1234-4567-89ab-cdef01234567");
        plain = new SifWriter().id(id).time(1_650_000_000L).primaryPartition(sqfs, "amd64")
                .write(files.resolve("plain.sif"));
        withDef = new SifWriter().id(id).time(1_650_000_000L).deffile(DEF).primaryPartition(sqfs, "arm64")
                .write(files.resolve("def.sif"));
    }

    private static Path file(String which) {
        return which.equals("plain") ? plain : withDef;
    }

    @ParameterizedTest
    @ValueSource(strings = {"plain", "deffile"})
    void copyToOciMatchesSkopeo(String which) throws IOException {
        Sandbox sb = new Sandbox(tmp);
        Path work = Files.createDirectories(sb.path("work"));
        String src = "sif:" + file(which);
        Path k = sb.path("kopi-oci");
        Path s = sb.path("skopeo-oci");
        sb.kopi("--tmpdir", work.toString(), "copy", "-q", src, "oci:" + k + ":x").assertSuccess();
        sb.skopeo("--tmpdir", work.toString(), "copy", "-q", src, "oci:" + s + ":x").assertSuccess();
        try (Stream<Path> left = Files.list(work)) {
            assertThat(left).as("temporary files left in --tmpdir").isEmpty();
        }

        JsonNode km = manifest(k);
        JsonNode sm = manifest(s);
        String kLayer = km.path("layers").get(0).path("digest").asText();
        String sLayer = sm.path("layers").get(0).path("digest").asText();
        assertThat(Images.maskLayers(mask(km.toString(), km.path("config").path("digest").asText(), "CONFIG")))
                .as("oci manifest, config digest and (recompressed) layer masked")
                .isEqualTo(Images.maskLayers(mask(sm.toString(), sm.path("config").path("digest").asText(),
                        "CONFIG")));
        assertThat(km.path("layers").get(0).path("mediaType").asText())
                .isEqualTo("application/vnd.oci.image.layer.v1.tar+gzip");

        String kConfig = blobText(k, km.path("config").path("digest").asText());
        String sConfig = blobText(s, sm.path("config").path("digest").asText());
        String kDiff = JSON.readTree(kConfig).path("rootfs").path("diff_ids").get(0).asText();
        String sDiff = JSON.readTree(sConfig).path("rootfs").path("diff_ids").get(0).asText();
        assertThat(mask(kConfig, kDiff, "LAYER")).as("config with the layer digest masked")
                .isEqualTo(mask(sConfig, sDiff, "LAYER"));
        assertThat(kConfig).contains(which.equals("plain") ? "\"Cmd\":[\"bash\"]" : "\"Cmd\":[\"/podman/runscript\"]")
                .contains(which.equals("plain") ? "\"architecture\":\"amd64\"" : "\"architecture\":\"arm64\"")
                .contains("imported from SIF, uuid: 0badc0de-1234-4567-89ab-cdef01234567");

        List<String> kEntries = tarEntries(blob(k, kLayer), kDiff);
        List<String> sEntries = tarEntries(blob(s, sLayer), sDiff);
        assertThat(kEntries).as("layer entries (kopi vs skopeo)").containsExactlyElementsOf(sEntries);
        assertThat(String.join("\n", kEntries)).contains("./etc/hello.txt|0|420|1000|100");
        if (which.equals("deffile")) {
            assertThat(String.join("\n", kEntries)).contains("./podman/runscript|0|");
        } else {
            assertThat(String.join("\n", kEntries)).doesNotContain("./podman");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"plain", "deffile"})
    void inspectMatchesSkopeo(String which) throws IOException {
        Sandbox sb = new Sandbox(tmp);
        Path work = Files.createDirectories(sb.path("work"));
        String src = "sif:" + file(which);
        String k = sb.kopi("--tmpdir", work.toString(), "inspect", src).assertSuccess().stdout();
        String s = sb.skopeo("--tmpdir", work.toString(), "inspect", src).assertSuccess().stdout();
        Images.assertSameInspect(maskDigests(k), maskDigests(s), src);

        String kRaw = sb.kopi("--tmpdir", work.toString(), "inspect", "--raw", src).assertSuccess().stdout();
        String sRaw = sb.skopeo("--tmpdir", work.toString(), "inspect", "--raw", src).assertSuccess().stdout();
        assertThat(maskDigests(kRaw)).as("inspect --raw, digests masked (sizes kept)").isEqualTo(maskDigests(sRaw));
        String kConfig = sb.kopi("--tmpdir", work.toString(), "inspect", "--config", "--raw", src).assertSuccess()
                .stdout();
        String sConfig = sb.skopeo("--tmpdir", work.toString(), "inspect", "--config", "--raw", src)
                .assertSuccess().stdout();
        assertThat(maskDigests(kConfig)).as("inspect --config --raw").isEqualTo(maskDigests(sConfig));
        assertThat(JSON.readTree(kRaw).path("layers").get(0).path("mediaType").asText())
                .isEqualTo("application/vnd.oci.image.layer.v1.tar");
        try (Stream<Path> left = Files.list(work)) {
            assertThat(left).as("temporary files left in --tmpdir").isEmpty();
        }
    }

    @Test
    void sifIsNotADestination() {
        Sandbox sb = new Sandbox(tmp);
        String dest = "sif:" + sb.path("out.sif");
        CommandResult k = sb.kopi("copy", "sif:" + plain, dest);
        CommandResult s = sb.skopeo("copy", "sif:" + plain, dest);
        k.assertExit(s.exitCode());
        assertThat(k.assertOneFatalLine()).isEqualTo(s.assertOneFatalLine())
                .isEqualTo("initializing destination " + dest
                        + ": \\\"sif:\\\" locations can only be read from, not written to");
        assertThat(sb.path("out.sif")).doesNotExist();

        CommandResult kd = sb.kopi("delete", "sif:" + plain);
        CommandResult sd = sb.skopeo("delete", "sif:" + plain);
        kd.assertExit(sd.exitCode());
        assertThat(kd.assertOneFatalLine()).isEqualTo(sd.assertOneFatalLine());
    }

    /** Bad files: the same one-line error and exit code as skopeo, and nothing left in the temp dir. */
    @ParameterizedTest
    @ValueSource(strings = {"missing", "directory", "empty", "truncated header", "not a SIF", "wrong version",
        "truncated descriptors", "no objects", "no primary partition", "garbage partition"})
    void badFilesFailAsInSkopeo(String what) throws IOException {
        Sandbox sb = new Sandbox(tmp);
        Path work = Files.createDirectories(sb.path("work"));
        Path f = sb.path("bad.sif");
        byte[] good = Files.readAllBytes(plain);
        switch (what) {
            case "missing" -> { }
            case "directory" -> Files.createDirectories(f);
            case "empty" -> Files.write(f, new byte[0]);
            case "truncated header" -> Files.write(f, java.util.Arrays.copyOf(good, 64));
            case "not a SIF" -> Files.writeString(f, "#!/bin/sh\n" + "echo this is a shell script\n".repeat(10));
            case "wrong version" -> {
                good[43] = '2';
                Files.write(f, good);
            }
            case "truncated descriptors" -> Files.write(f, java.util.Arrays.copyOf(good, 4096 + 1000));
            case "no objects" -> new SifWriter().write(f);
            case "no primary partition" -> new SifWriter().deffile(DEF).partition(new byte[4096],
                    SifWriter.PART_DATA, "amd64").write(f);
            case "garbage partition" -> new SifWriter().partition("not squashfs".repeat(400)
                    .getBytes(StandardCharsets.US_ASCII), SifWriter.PART_PRIMSYS, "amd64").write(f);
            default -> throw new IllegalArgumentException(what);
        }
        String src = "sif:" + f;
        for (List<String> args : List.of(List.of("inspect", src), List.of("copy", src, "oci:" + sb.path("o") + ":x"))) {
            List<String> full = new ArrayList<>(List.of("--tmpdir", work.toString()));
            full.addAll(args);
            CommandResult k = sb.kopi(full.toArray(String[]::new));
            CommandResult s = sb.skopeo(full.toArray(String[]::new));
            k.assertExit(1);
            s.assertExit(1);
            String km = k.assertOneFatalLine();
            String sm = s.assertOneFatalLine();
            if (what.equals("garbage partition")) {
                // The command's output names the temporary directory (random; 1.9.3 calls it sif123, newer
                // containers/image container_images_sif123), and unsquashfs prints no times: mask the directory.
                km = maskTemp(km);
                sm = maskTemp(sm);
                assertThat(km).contains("converting image: exit status ");
            }
            assertThat(km).as("%s: %s", what, args).isEqualTo(sm);
        }
        try (Stream<Path> left = Files.list(work)) {
            assertThat(left).as("temporary files left in --tmpdir").isEmpty();
        }
    }

    /** Without unsquashfs on PATH, the conversion fails in the shell script, with the same message as skopeo. */
    @Test
    void missingUnsquashfs() throws IOException {
        Sandbox sb = new Sandbox(tmp);
        Path work = Files.createDirectories(sb.path("work"));
        Path bin = Files.createDirectories(sb.path("bin-without-unsquashfs"));
        for (String dir : List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin")) {
            Path d = Path.of(dir);
            if (!Files.isDirectory(d)) {
                continue;
            }
            try (Stream<Path> l = Files.list(d)) {
                for (Path p : l.toList()) {
                    Path link = bin.resolve(p.getFileName().toString());
                    if (!p.getFileName().toString().equals("unsquashfs") && !Files.exists(link,
                            java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        Files.createSymbolicLink(link, p);
                    }
                }
            }
        }
        List<String> env = List.of("env", "PATH=" + bin);
        List<String> kopi = new ArrayList<>(env);
        kopi.addAll(Kopi.command(sb));
        kopi.addAll(List.of("--tmpdir", work.toString(), "inspect", "sif:" + plain));
        List<String> skopeo = new ArrayList<>(env);
        skopeo.addAll(List.of(Tools.skopeo().toString(), "--tmpdir", work.toString(), "inspect", "sif:" + plain));
        CommandResult k = sb.run(kopi, Sandbox.TIMEOUT).assertExit(1);
        CommandResult s = sb.run(skopeo, Sandbox.TIMEOUT).assertExit(1);
        String km = maskTemp(k.assertOneFatalLine());
        assertThat(km).isEqualTo(maskTemp(s.assertOneFatalLine()))
                .contains("converting image: exit status 127, output: ").contains("unsquashfs: not found");
        try (Stream<Path> left = Files.list(work)) {
            assertThat(left).isEmpty();
        }
    }

    private static String maskTemp(String s) {
        return s.replaceAll("(container_images_)?sif[0-9]+", "TMP");
    }

    private static String mask(String s, String digest, String name) {
        return s.replace(digest.substring("sha256:".length()), name);
    }

    private static String maskDigests(String s) {
        return s.replaceAll("sha256:[0-9a-f]{64}", "sha256:MASKED").replaceAll("file:[0-9a-f]{64}", "file:MASKED");
    }

    private static JsonNode manifest(Path layout) throws IOException {
        JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
        return JSON.readTree(blob(layout, index.path("manifests").get(0).path("digest").asText()).toFile());
    }

    private static Path blob(Path layout, String digest) {
        return layout.resolve("blobs/sha256").resolve(digest.substring("sha256:".length()));
    }

    private static String blobText(Path layout, String digest) throws IOException {
        return Files.readString(blob(layout, digest));
    }

    /**
     * One line per tar entry: name, type, mode, uid, gid, user, group, size, link, content sha256, mtime (not for
     * the injected /podman entries) and the pax records other than the times. Also checks the uncompressed layer
     * against the config's diff ID.
     */
    private static List<String> tarEntries(Path gzLayer, String diffId) throws IOException {
        List<String> out = new ArrayList<>();
        MessageDigest all = sha256();
        try (InputStream raw = new java.security.DigestInputStream(new GZIPInputStream(Files.newInputStream(gzLayer)),
                all); TarArchiveInputStream tar = new TarArchiveInputStream(raw)) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                MessageDigest md = sha256();
                byte[] buf = new byte[8192];
                int n;
                while ((n = tar.read(buf)) > 0) {
                    md.update(buf, 0, n);
                }
                Map<String, String> pax = new TreeMap<>(e.getExtraPaxHeaders());
                TIMES.forEach(pax::remove);
                boolean injected = e.getName().startsWith("./podman");
                out.add(String.join("|", e.getName(), String.valueOf((char) e.getLinkFlag()),
                        String.valueOf(e.getMode()), String.valueOf(e.getLongUserId()),
                        String.valueOf(e.getLongGroupId()), e.getUserName(), e.getGroupName(),
                        String.valueOf(e.getSize()), e.getLinkName(), HexFormat.of().formatHex(md.digest()),
                        injected ? "now" : String.valueOf(e.getModTime().getTime()), pax.toString()));
            }
            raw.transferTo(java.io.OutputStream.nullOutputStream());
        }
        assertThat("sha256:" + HexFormat.of().formatHex(all.digest())).as("uncompressed layer = diff ID")
                .isEqualTo(diffId);
        return out;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
