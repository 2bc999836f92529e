package dev.kopi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kopi.blob.BlobInfo;
import dev.kopi.digest.Digest;
import dev.kopi.testkit.ImageSpec;
import dev.kopi.testkit.LayerSpec;
import dev.kopi.testkit.TestImages;
import dev.kopi.testkit.WrittenImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code copy --progress json}: every stdout line is one JSON event, and the events tell the copy's story. */
class JsonProgressTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** Parses every line strictly: exactly one JSON object per line, nothing else on stdout. */
    static List<JsonNode> events(String stdout) throws IOException {
        assertThat(stdout).endsWith("\n");
        List<JsonNode> out = new ArrayList<>();
        for (String line : stdout.split("\n", -1)) {
            if (line.isEmpty()) {
                continue; // only the text after the last newline
            }
            try (JsonParser p = JSON.createParser(line)) {
                JsonNode n = JSON.readTree(p);
                assertThat(p.nextToken()).as("nothing after the object in %s", line).isNull();
                assertThat(n.isObject()).as(line).isTrue();
                assertThat(n.fieldNames().next()).as("event first in %s", line).isEqualTo("event");
                out.add(n);
            }
        }
        assertThat(stdout.split("\n", -1)).as("no blank lines").hasSize(out.size() + 1);
        return out;
    }

    private static List<String> names(List<JsonNode> events) {
        return events.stream().map(e -> e.get("event").asText()).toList();
    }

    @Test
    void aCopyReportsEveryBlobAndEndsWithImageDone() throws Exception {
        Path src = tmp.resolve("src");
        long mib = 1024 * 1024;
        WrittenImage img = TestImages.writeImage(src, "t", ImageSpec.of(List.of(LayerSpec.random(3 * mib, 1),
                LayerSpec.random(1024, 2), LayerSpec.random(2 * mib, 3))));
        Path digestFile = tmp.resolve("digest");
        String dest = "oci:" + tmp.resolve("dest") + ":t";
        CliTest.Run r = CliTest.run("--insecure-policy", "copy", "--progress", "json", "--digestfile",
                digestFile.toString(), "oci:" + src + ":t", dest);
        assertThat(r.err()).isEmpty();
        assertThat(r.code()).isZero();
        List<JsonNode> ev = events(r.out());

        assertThat(names(ev).get(0)).isEqualTo("getting-signatures");
        JsonNode last = ev.get(ev.size() - 1);
        assertThat(last.get("event").asText()).isEqualTo("image-done");
        assertThat(last.get("manifestDigest").asText()).isEqualTo(Files.readString(digestFile))
                .isEqualTo(img.manifestDigest().toString());
        try (var copied = dev.kopi.Kopi.open(dest, null)) {
            byte[] m = copied.manifest().bytes();
            assertThat(last.get("manifestDigest").asText()).isEqualTo(Digest.sha256(m).toString());
            assertThat(last.get("size").asLong()).isEqualTo(m.length);
        }
        assertThat(last.get("mediaType").asText()).isEqualTo("application/vnd.oci.image.manifest.v1+json");
        assertThat(names(ev)).containsSubsequence("writing-manifest", "image-done")
                .doesNotContain("error", "blob-skipped");

        Set<String> started = new HashSet<>();
        Map<String, Long> progress = new HashMap<>();
        Set<String> done = new HashSet<>();
        Map<String, Long> sizes = new HashMap<>();
        for (JsonNode e : ev) {
            String digest = e.path("digest").asText(null);
            switch (e.get("event").asText()) {
                case "blob-start" -> {
                    assertThat(started.add(digest)).as("one start per blob").isTrue();
                    sizes.put(digest, e.get("size").asLong());
                    assertThat(e.get("mediaType").asText()).isNotEmpty();
                }
                case "blob-progress" -> {
                    assertThat(started).as("progress after start").contains(digest);
                    assertThat(done).as("no progress after done").doesNotContain(digest);
                    long bytes = e.get("bytes").asLong();
                    assertThat(bytes).isGreaterThan(progress.getOrDefault(digest, 0L))
                            .isLessThanOrEqualTo(e.get("size").asLong());
                    progress.put(digest, bytes);
                }
                case "blob-done" -> {
                    assertThat(started).contains(digest);
                    assertThat(done.add(digest)).isTrue();
                    assertThat(e.get("bytes").asLong()).isEqualTo(e.get("size").asLong()).isEqualTo(sizes.get(digest));
                }
                default -> {
                }
            }
        }
        List<String> want = new ArrayList<>(img.layers().stream().map(Digest::toString).toList());
        want.add(img.configDigest().toString());
        assertThat(done).containsExactlyInAnyOrderElementsOf(want);
        for (String layer : img.layers().stream().map(Digest::toString).toList()) {
            assertThat(progress.get(layer)).as("last progress of %s is the whole blob", layer)
                    .isEqualTo(sizes.get(layer));
        }
        assertThat(ev.stream().filter(e -> e.get("event").asText().equals("blob-done"))
                .filter(e -> e.get("config").asBoolean()).map(e -> e.get("digest").asText()))
                .containsExactly(img.configDigest().toString());

        // The same copy again: the destination has every blob.
        CliTest.Run again = CliTest.run("--insecure-policy", "copy", "--progress", "json", "oci:" + src + ":t", dest);
        assertThat(again.code()).isZero();
        List<JsonNode> ev2 = events(again.out());
        assertThat(ev2.stream().filter(e -> e.get("event").asText().equals("blob-skipped"))
                .map(e -> e.get("digest").asText())).containsExactlyInAnyOrderElementsOf(want);
        assertThat(names(ev2)).doesNotContain("blob-done", "blob-progress").endsWith("image-done");
    }

    @Test
    void aFailedCopyEndsWithAnErrorEventThatMatchesTheFatalLine() throws Exception {
        Path src = tmp.resolve("src");
        TestImages.multiLayer(src, "t", 4);
        CliTest.Run r = CliTest.run("--insecure-policy", "copy", "--progress", "json", "oci:" + src + ":nosuchtag",
                "dir:" + tmp.resolve("d"));
        assertThat(r.code()).isEqualTo(2);
        List<JsonNode> ev = events(r.out());
        assertThat(names(ev)).containsExactly("error");
        JsonNode e = ev.get(0);
        assertThat(e.get("code").asText()).isEqualTo("NOT_FOUND");
        String fatal = r.err().replaceAll("(?s).*msg=\"(.*)\"\\n$", "$1").replace("\\\"", "\"");
        assertThat(e.get("message").asText()).isEqualTo(fatal).contains("nosuchtag");
    }

    @Test
    void anErrorBeforeTheCopyIsAnEventToo() throws Exception {
        CliTest.Run r = CliTest.run("--insecure-policy", "copy", "--progress", "json", "nocolon", "dir:/x");
        assertThat(r.code()).isEqualTo(1);
        List<JsonNode> ev = events(r.out());
        assertThat(names(ev)).containsExactly("error");
        assertThat(ev.get(0).get("code").asText()).isEqualTo("INVALID_REFERENCE");
        assertThat(ev.get(0).get("message").asText()).startsWith("Invalid source name nocolon: ");
    }

    @Test
    void anUnknownProgressFormatIsRejected() {
        CliTest.Run r = CliTest.run("--insecure-policy", "copy", "--progress", "xml", "dir:/a", "dir:/b");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("unknown progress format \\\"xml\\\". Choose one of the supported formats: "
                + "'text' or 'json'");
    }

    @Test
    void progressLinesAreThrottledPerBlobButTheLastIsAlwaysShown() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        AtomicLong now = new AtomicLong(1_000_000_000L);
        JsonProgress p = new JsonProgress(new PrintStream(buf, true, StandardCharsets.UTF_8), now::get);
        BlobInfo a = new BlobInfo(Digest.sha256(new byte[] {1}), 1000, "application/octet-stream");
        BlobInfo b = new BlobInfo(Digest.sha256(new byte[] {2}), 500, "application/octet-stream");
        long ms = 1_000_000L;
        p.blobProgress(a, 100); // first: shown
        now.addAndGet(50 * ms);
        p.blobProgress(a, 200); // 50 ms later: not shown
        p.blobProgress(b, 100); // another blob: its own clock, shown
        now.addAndGet(50 * ms);
        p.blobProgress(a, 300); // 100 ms after the last shown: shown
        now.addAndGet(10 * ms);
        p.blobProgress(a, 1000); // complete: shown
        p.blobDone(a, false);
        p.blobProgress(b, 200); // 60 ms after its last: not shown
        p.blobDone(b, false); // done reports the bytes read, shown or not
        List<JsonNode> ev = events(buf.toString(StandardCharsets.UTF_8));
        List<String> got = ev.stream().map(e -> e.get("event").asText() + " " + e.get("digest").asText().substring(7, 11)
                + " " + e.path("bytes").asText()).toList();
        String ha = a.digest().encoded().substring(0, 4);
        String hb = b.digest().encoded().substring(0, 4);
        assertThat(got).containsExactly("blob-progress " + ha + " 100", "blob-progress " + hb + " 100",
                "blob-progress " + ha + " 300", "blob-progress " + ha + " 1000", "blob-done " + ha + " 1000",
                "blob-done " + hb + " 200");
    }
}
