package dev.kopi.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Comparisons of image directories and files. */
public final class Trees {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Trees() {
    }

    /** Relative path to sha256 hex of every regular file under {@code root} (or of {@code root} itself if a file). */
    public static Map<String, String> digests(Path root) {
        Map<String, String> out = new TreeMap<>();
        try {
            if (Files.isRegularFile(root)) {
                out.put("", sha256(root));
                return out;
            }
            try (Stream<Path> s = Files.walk(root)) {
                for (Path p : s.filter(Files::isRegularFile).toList()) {
                    out.put(root.relativize(p).toString(), sha256(p));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Asserts two directories hold the same files with the same bytes. */
    public static void assertSameTree(Path actual, Path expected, String what) {
        assertThat(digests(actual)).as("%s: files of %s vs %s", what, actual, expected)
                .containsExactlyEntriesOf(digests(expected));
    }

    /**
     * Asserts two OCI layouts are equivalent: identical blob files, and {@code index.json} and {@code oci-layout}
     * equal as JSON (whitespace and key order may differ).
     */
    public static void assertSameOciLayout(Path actual, Path expected, String what) {
        assertThat(digests(actual.resolve("blobs"))).as("%s: blobs of %s vs %s", what, actual, expected)
                .containsExactlyEntriesOf(digests(expected.resolve("blobs")));
        for (String f : new String[] {"index.json", "oci-layout"}) {
            try {
                assertThat(JSON.readTree(actual.resolve(f).toFile())).as("%s: %s", what, f)
                        .isEqualTo(JSON.readTree(expected.resolve(f).toFile()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    public static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return sha256(in);
        }
    }

    public static String sha256(byte[] data) {
        return HexFormat.of().formatHex(md().digest(data));
    }

    private static String sha256(InputStream in) throws IOException {
        MessageDigest md = md();
        byte[] buf = new byte[65536];
        int n;
        while ((n = in.read(buf)) > 0) {
            md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest md() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
