package dev.kopi.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.kopi.digest.Digest;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.InvalidReferenceException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Cases from containers/image docker/reference reference_test.go and normalize_test.go, plus skopeo's error texts. */
class DockerReferenceTest {
    private static final String FF64 = "f".repeat(64);
    private static final String HEX64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    // ----- reference.Parse (non-normalizing) ------------------------------------------------------------------

    /** input, name, domain, tag, digest (null: absent). */
    static Stream<Arguments> parseValid() {
        return Stream.of(
                arguments("test_com", "test_com", "", null, null),
                arguments("test.com:tag", "test.com", "", "tag", null),
                arguments("test.com:5000", "test.com", "", "5000", null),
                arguments("test.com/repo:tag", "test.com/repo", "test.com", "tag", null),
                arguments("test:5000/repo", "test:5000/repo", "test:5000", null, null),
                arguments("test:5000/repo:tag", "test:5000/repo", "test:5000", "tag", null),
                arguments("test:5000/repo@sha256:" + FF64, "test:5000/repo", "test:5000", null, "sha256:" + FF64),
                arguments("test:5000/repo:tag@sha256:" + FF64, "test:5000/repo", "test:5000", "tag", "sha256:" + FF64),
                arguments("lowercase:Uppercase", "lowercase", "", "Uppercase", null),
                arguments("a/".repeat(127) + "a:tag-puts-this-over-max", "a/".repeat(127) + "a", "a",
                        "tag-puts-this-over-max", null),
                arguments("sub-dom1.foo.com/bar/baz/quux", "sub-dom1.foo.com/bar/baz/quux", "sub-dom1.foo.com", null,
                        null),
                arguments("sub-dom1.foo.com/bar/baz/quux:some-long-tag", "sub-dom1.foo.com/bar/baz/quux",
                        "sub-dom1.foo.com", "some-long-tag", null),
                arguments("b.gcr.io/test.example.com/my-app:test.example.com", "b.gcr.io/test.example.com/my-app",
                        "b.gcr.io", "test.example.com", null),
                arguments("xn--n3h.com/myimage:xn--n3h.com", "xn--n3h.com/myimage", "xn--n3h.com", "xn--n3h.com", null),
                arguments("xn--7o8h.com/myimage:xn--7o8h.com@sha512:" + "f".repeat(128), "xn--7o8h.com/myimage",
                        "xn--7o8h.com", "xn--7o8h.com", "sha512:" + "f".repeat(128)),
                arguments("foo_bar.com:8080", "foo_bar.com", "", "8080", null),
                arguments("foo/foo_bar.com:8080", "foo/foo_bar.com", "foo", "8080", null),
                // Separators: one period, one or two underscores, any number of dashes.
                arguments("a.b_c__d---e/f", "a.b_c__d---e/f", "", null, null), // "_" is not allowed in a domain
                arguments("a.b-c--d/f", "a.b-c--d/f", "a.b-c--d", null, null),
                arguments("ab_c__d---e/f", "ab_c__d---e/f", "", null, null),
                arguments("Upper.Domain:1/x", "Upper.Domain:1/x", "Upper.Domain:1", null, null),
                arguments("w:" + "W".repeat(128), "w", "", "W".repeat(128), null));
    }

    @ParameterizedTest
    @MethodSource
    void parseValid(String input, String name, String domain, String tag, String digest) throws Exception {
        DockerReference r = DockerReference.parse(input);
        assertThat(r.toString()).isEqualTo(input);
        assertThat(r.name()).isEqualTo(name);
        assertThat(r.domain()).isEqualTo(domain);
        assertThat(r.tag().orElse(null)).isEqualTo(tag);
        assertThat(r.digest().map(Digest::toString).orElse(null)).isEqualTo(digest);
    }

    static Stream<Arguments> parseInvalid() {
        return Stream.of(
                arguments("", "repository name must have at least one component"),
                arguments(":justtag", "invalid reference format"),
                arguments("@sha256:" + FF64, "invalid reference format"),
                arguments("repo@sha256:" + "f".repeat(34), "invalid checksum digest length"),
                arguments("validname@invaliddigest:" + FF64, "unsupported digest algorithm"),
                arguments("validname@sha256:" + FF64.toUpperCase(), "invalid checksum digest format"),
                arguments("validname@SHA256:" + FF64, "invalid checksum digest format"),
                arguments("repo@sha256:" + "f".repeat(31), "invalid reference format"),
                arguments("Uppercase:tag", "repository name must be lowercase"),
                arguments("test:5000/Uppercase/lowercase:tag", "repository name must be lowercase"),
                arguments("a/".repeat(128) + "a:tag", "repository name must not be more than 255 characters"),
                arguments("aa/asdf$$^/aa", "invalid reference format"),
                arguments("a:" + "w".repeat(129), "invalid reference format"),
                arguments("a:.tag", "invalid reference format"),
                arguments("a:", "invalid reference format"),
                arguments("a@", "invalid reference format"),
                arguments("a@b@sha256:" + FF64, "invalid reference format"),
                arguments("a:b:c", "invalid reference format"),
                arguments("a:b/c", "invalid reference format"),
                arguments("-a", "invalid reference format"),
                arguments("a-", "invalid reference format"),
                arguments("a..b", "invalid reference format"),
                arguments("a._b", "invalid reference format"),
                arguments("a___b", "invalid reference format"),
                arguments("a//b", "invalid reference format"),
                arguments("a/", "invalid reference format"),
                arguments("-dom.com/a", "invalid reference format"),
                arguments("dom-.com/a", "invalid reference format"),
                arguments("dom.com:/a", "invalid reference format"),
                arguments("dom.com:x/a", "invalid reference format"),
                arguments("[::1]:5000/a", "invalid reference format"),
                arguments("busybox\n", "invalid reference format"));
    }

    @ParameterizedTest
    @MethodSource
    void parseInvalid(String input, String message) {
        assertThatThrownBy(() -> DockerReference.parse(input))
                .isInstanceOf(InvalidReferenceException.class)
                .hasMessage(message)
                .satisfies(e -> assertThat(((InvalidReferenceException) e).code())
                        .isEqualTo(ErrorCode.INVALID_REFERENCE));
    }

    @Test
    @Timeout(5)
    void longPathologicalInputsFailQuickly() {
        String[] inputs = {
            "a-".repeat(200_000) + "!", "a/".repeat(200_000) + "!", "a".repeat(400_000) + ":!",
            "a@" + "aA".repeat(200_000) + "!", "a.".repeat(200_000) + "a/b!",
        };
        for (String s : inputs) {
            assertThatThrownBy(() -> DockerReference.parseNormalized(s)).isInstanceOf(InvalidReferenceException.class);
            assertThatThrownBy(() -> DockerReference.parse(s)).isInstanceOf(InvalidReferenceException.class);
        }
        assertThatThrownBy(() -> DockerReference.parse("a/".repeat(200_000) + "a"))
                .hasMessage("repository name must not be more than 255 characters");
    }

    // ----- WithName -------------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"", ":justtag", "@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        "validname@invaliddigest:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "aa/asdf$$^/aa",
        "name:tag"})
    void withNameFailure(String input) {
        assertThatThrownBy(() -> DockerReference.withName(input)).hasMessage("invalid reference format");
    }

    @Test
    void withNameTooLong() {
        assertThatThrownBy(() -> DockerReference.withName("a/".repeat(128) + "a"))
                .hasMessage("repository name must not be more than 255 characters");
    }

    @ParameterizedTest
    @MethodSource
    void splitHostname(String input, String domain, String path) throws Exception {
        DockerReference r = DockerReference.withName(input);
        assertThat(r.domain()).isEqualTo(domain);
        assertThat(r.path()).isEqualTo(path);
        assertThat(r.isNameOnly()).isTrue();
    }

    static Stream<Arguments> splitHostname() {
        return Stream.of(
                arguments("test.com/foo", "test.com", "foo"),
                arguments("test_com/foo", "", "test_com/foo"),
                arguments("test:8080/foo", "test:8080", "foo"),
                arguments("test.com:8080/foo", "test.com:8080", "foo"),
                arguments("test-com:8080/foo", "test-com:8080", "foo"),
                arguments("xn--n3h.com:18080/foo", "xn--n3h.com:18080", "foo"));
    }

    // ----- ParseNormalizedNamed -------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"docker/docker", "library/debian", "debian", "docker.io/docker/docker",
        "docker.io/library/debian", "docker.io/debian", "index.docker.io/docker/docker", "index.docker.io/library/debian",
        "index.docker.io/debian", "127.0.0.1:5000/docker/docker", "127.0.0.1:5000/library/debian",
        "127.0.0.1:5000/debian", "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
        "docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a",
        // TestValidateRemoteName
        "docker-rules/docker", "docker---rules/docker", "doc/docker", "d/docker", "jess/t", "dock__er/docker"})
    void normalizedValid(String input) throws Exception {
        assertThat(DockerReference.parseNormalized(input).domain()).isNotEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://github.com/docker/docker", "docker/Docker", "-docker", "-docker/docker",
        "-docker.io/docker/docker", "docker///docker", "docker.io/docker/Docker", "docker.io/docker///docker",
        "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a", "docker-/docker", "-docker-/docker",
        "____/____", "_docker/_docker", "dock..er/docker", "dock_.er/docker", "dock-.er/docker", "docker/",
        "this_is_not_a_valid_namespace_because_its_length_is_greater_than_255_this_is_not_a_valid_namespace_because"
            + "_its_length_is_greater_than_255_this_is_not_a_valid_namespace_because_its_length_is_greater_than_255_"
            + "this_is_not_a_valid_namespace_because_its_length_is_greater_than_255/docker"})
    void normalizedInvalid(String input) {
        assertThatThrownBy(() -> DockerReference.parseNormalized(input)).isInstanceOf(InvalidReferenceException.class);
    }

    /** Exact texts, checked against skopeo 1.9.3 where marked. */
    static Stream<Arguments> normalizedErrors() {
        return Stream.of(
                arguments("Busybox", "invalid reference format: repository name must be lowercase"), // skopeo
                arguments("library/Busybox", "invalid reference format: repository name must be lowercase"), // skopeo
                arguments("UPPERCASEISINVALID", "invalid reference format: repository name must be lowercase"),
                arguments("docker/Docker", "invalid reference format: repository name must be lowercase"),
                arguments("busybox@SHA256:" + FF64, "invalid reference format: repository name must be lowercase"),
                arguments(HEX64, "invalid repository name (" + HEX64 + "), cannot specify 64-byte hexadecimal strings"),
                arguments("", "invalid reference format"), // skopeo: docker://
                arguments("[::1]:5000/foo", "invalid reference format"), // skopeo
                arguments("a@sha256:0123", "invalid reference format"), // skopeo
                arguments("a@foo:" + HEX64, "unsupported digest algorithm"), // skopeo
                arguments("a@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
                        "invalid checksum digest format"), // skopeo
                arguments("a@sha256:0123456789012345678901234567890123456789", "invalid checksum digest length"),
                arguments("a".repeat(238), "repository name must not be more than 255 characters"),
                arguments("Foo.com/a:b@SHA256:" + FF64, "invalid checksum digest format"));
    }

    @ParameterizedTest
    @MethodSource
    void normalizedErrors(String input, String message) {
        assertThatThrownBy(() -> DockerReference.parseNormalized(input))
                .isInstanceOf(InvalidReferenceException.class).hasMessage(message);
    }

    @Test
    void normalizedNameLengthCountsTheAddedPrefix() throws Exception {
        // docker.io/library/ + 237 = 255 characters: the maximum.
        assertThat(DockerReference.parseNormalized("a".repeat(237)).name()).hasSize(255);
    }

    /** RemoteName, FamiliarName, FullName, AmbiguousName, Domain (TestParseRepositoryInfo). */
    static Stream<Arguments> repositoryInfo() {
        return Stream.of(
                arguments("fooo/bar", "fooo/bar", "docker.io/fooo/bar", "index.docker.io/fooo/bar", "docker.io"),
                arguments("library/ubuntu", "ubuntu", "docker.io/library/ubuntu", "library/ubuntu", "docker.io"),
                arguments("nonlibrary/ubuntu", "nonlibrary/ubuntu", "docker.io/nonlibrary/ubuntu", "", "docker.io"),
                arguments("other/library", "other/library", "docker.io/other/library", "", "docker.io"),
                arguments("private/moonbase", "127.0.0.1:8000/private/moonbase", "127.0.0.1:8000/private/moonbase", "",
                        "127.0.0.1:8000"),
                arguments("privatebase", "127.0.0.1:8000/privatebase", "127.0.0.1:8000/privatebase", "",
                        "127.0.0.1:8000"),
                arguments("private/moonbase", "example.com/private/moonbase", "example.com/private/moonbase", "",
                        "example.com"),
                arguments("privatebase", "example.com/privatebase", "example.com/privatebase", "", "example.com"),
                arguments("private/moonbase", "example.com:8000/private/moonbase", "example.com:8000/private/moonbase",
                        "", "example.com:8000"),
                arguments("privatebasee", "example.com:8000/privatebasee", "example.com:8000/privatebasee", "",
                        "example.com:8000"),
                arguments("library/ubuntu-12.04-base", "ubuntu-12.04-base", "docker.io/library/ubuntu-12.04-base",
                        "index.docker.io/library/ubuntu-12.04-base", "docker.io"),
                arguments("library/foo", "foo", "docker.io/library/foo", "docker.io/foo", "docker.io"),
                arguments("library/foo/bar", "library/foo/bar", "docker.io/library/foo/bar", "", "docker.io"),
                arguments("store/foo/bar", "store/foo/bar", "docker.io/store/foo/bar", "", "docker.io"));
    }

    @ParameterizedTest
    @MethodSource
    void repositoryInfo(String remote, String familiar, String full, String ambiguous, String domain)
            throws Exception {
        Stream<String> inputs = ambiguous.isEmpty() ? Stream.of(familiar, full) : Stream.of(familiar, full, ambiguous);
        for (String in : inputs.toList()) {
            DockerReference r = DockerReference.parseNormalized(in);
            assertThat(r.familiarName()).as(in).isEqualTo(familiar);
            assertThat(r.familiarString()).as(in).isEqualTo(familiar);
            assertThat(r.toString()).as(in).isEqualTo(full);
            assertThat(r.name()).as(in).isEqualTo(full);
            assertThat(r.domain()).as(in).isEqualTo(domain);
            assertThat(r.path()).as(in).isEqualTo(remote);
            assertThat(r.isNameOnly()).isTrue();
        }
    }

    @Test
    void tagAndDigestAreBothKept() throws Exception {
        String shortRef = "busybox:latest@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa";
        DockerReference r = DockerReference.parseNormalized(shortRef);
        assertThat(r.toString()).isEqualTo("docker.io/library/" + shortRef);
        assertThat(r.tag()).contains("latest");
        assertThat(r.digest()).isPresent();
        assertThat(r.hasTagAndDigest()).isTrue();
        assertThat(r.isNameOnly()).isFalse();
        assertThat(r.familiarString()).isEqualTo(shortRef);
    }

    static Stream<Arguments> normalizedSplitHostname() {
        return Stream.of(
                arguments("test.com/foo", "test.com", "foo"),
                arguments("test_com/foo", "docker.io", "test_com/foo"),
                arguments("docker/migrator", "docker.io", "docker/migrator"),
                arguments("test.com:8080/foo", "test.com:8080", "foo"),
                arguments("test-com:8080/foo", "test-com:8080", "foo"),
                arguments("foo", "docker.io", "library/foo"),
                arguments("xn--n3h.com/foo", "xn--n3h.com", "foo"),
                arguments("xn--n3h.com:18080/foo", "xn--n3h.com:18080", "foo"),
                arguments("docker.io/foo", "docker.io", "library/foo"),
                arguments("docker.io/library/foo", "docker.io", "library/foo"),
                arguments("docker.io/library/foo/bar", "docker.io", "library/foo/bar"),
                arguments("localhost/foo", "localhost", "foo"),
                arguments("localhost:5000/foo", "localhost:5000", "foo"),
                arguments("notlocalhost/foo", "docker.io", "notlocalhost/foo"),
                arguments("index.docker.io/foo", "docker.io", "library/foo"));
    }

    @ParameterizedTest
    @MethodSource
    void normalizedSplitHostname(String input, String domain, String path) throws Exception {
        DockerReference r = DockerReference.parseNormalized(input);
        assertThat(r.domain()).isEqualTo(domain);
        assertThat(r.path()).isEqualTo(path);
    }

    /** ParseAnyReference's named cases: input, full string. */
    static Stream<Arguments> normalizedEquivalents() {
        String d = "@sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c";
        return Stream.of(
                arguments("redis", "docker.io/library/redis"),
                arguments("redis:latest", "docker.io/library/redis:latest"),
                arguments("docker.io/library/redis:latest", "docker.io/library/redis:latest"),
                arguments("redis" + d, "docker.io/library/redis" + d),
                arguments("docker.io/library/redis" + d, "docker.io/library/redis" + d),
                arguments("dmcgowan/myapp", "docker.io/dmcgowan/myapp"),
                arguments("dmcgowan/myapp:latest", "docker.io/dmcgowan/myapp:latest"),
                arguments("docker.io/mcgowan/myapp:latest", "docker.io/mcgowan/myapp:latest"),
                arguments("dmcgowan/myapp" + d, "docker.io/dmcgowan/myapp" + d),
                arguments("docker.io/dmcgowan/myapp" + d, "docker.io/dmcgowan/myapp" + d),
                arguments("dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9",
                        "docker.io/library/dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9"),
                // A digest-looking string is a name with a tag.
                arguments("sha256:" + HEX64, "docker.io/library/sha256:" + HEX64));
    }

    @ParameterizedTest
    @MethodSource
    void normalizedEquivalents(String input, String full) throws Exception {
        DockerReference r = DockerReference.parseNormalized(input);
        assertThat(r.toString()).isEqualTo(full);
        assertThat(DockerReference.parse(full)).isEqualTo(r);
        assertThat(r.hashCode()).isEqualTo(DockerReference.parse(full).hashCode());
    }

    /** TestParseDockerRef's cases, via tagNameOnly (ParseDockerRef would also drop the tag of name:tag@digest). */
    @ParameterizedTest
    @MethodSource
    void tagNameOnly(String input, String expected) throws Exception {
        assertThat(DockerReference.parseNormalized(input).tagNameOnly().toString()).isEqualTo(expected);
    }

    static Stream<Arguments> tagNameOnly() {
        String d = "@sha256:e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582";
        return Stream.of(
                arguments("busybox", "docker.io/library/busybox:latest"),
                arguments("busybox:latest", "docker.io/library/busybox:latest"),
                arguments("busybox" + d, "docker.io/library/busybox" + d),
                arguments("library/busybox", "docker.io/library/busybox:latest"),
                arguments("docker.io/busybox", "docker.io/library/busybox:latest"),
                arguments("docker.io/library/busybox", "docker.io/library/busybox:latest"),
                arguments("docker.io/busybox:latest", "docker.io/library/busybox:latest"),
                arguments("library/busybox:latest", "docker.io/library/busybox:latest"),
                arguments("gcr.io/library/busybox", "gcr.io/library/busybox:latest"),
                arguments("gcr.io/library/busybox:1" + d, "gcr.io/library/busybox:1" + d));
    }

    // ----- ParseNamed -----------------------------------------------------------------------------------------

    @Test
    void parseNamedRequiresCanonicalForm() throws Exception {
        assertThat(DockerReference.parseNamed("docker.io/library/busybox:latest").tag()).contains("latest");
        assertThat(DockerReference.parseNamed("example.com/a/b").domain()).isEqualTo("example.com");
        assertThatThrownBy(() -> DockerReference.parseNamed("busybox:latest"))
                .hasMessage("repository name must be canonical");
        assertThatThrownBy(() -> DockerReference.parseNamed("docker.io/busybox"))
                .hasMessage("repository name must be canonical");
        assertThatThrownBy(() -> DockerReference.parseNamed("Busybox"))
                .hasMessage("invalid reference format: repository name must be lowercase");
    }

    // ----- With*, trim, familiar forms -----------------------------------------------------------------------

    @Test
    void withTagWithDigestAndTrim() throws Exception {
        DockerReference r = DockerReference.parseNormalized("busybox:1@sha256:" + HEX64);
        assertThat(r.withTag("2").toString()).isEqualTo("docker.io/library/busybox:2");
        assertThat(r.withDigest(Digest.of("sha256:" + FF64)).toString())
                .isEqualTo("docker.io/library/busybox@sha256:" + FF64);
        assertThat(r.trimmedToName().toString()).isEqualTo("docker.io/library/busybox");
        assertThat(r.trimmedToName().isNameOnly()).isTrue();
        assertThat(r.tagNameOnly()).isSameAs(r);
        assertThatThrownBy(() -> r.withTag("-foo")).hasMessage("invalid tag format");
        assertThatThrownBy(() -> r.withTag("")).hasMessage("invalid tag format");
        assertThatThrownBy(() -> r.withTag("a".repeat(129))).hasMessage("invalid tag format");
        assertThat(r.withTag("a".repeat(128)).tag()).contains("a".repeat(128));
    }

    @ParameterizedTest
    @MethodSource
    void familiarString(String input, String familiar) throws Exception {
        assertThat(DockerReference.parseNormalized(input).familiarString()).isEqualTo(familiar);
    }

    static Stream<Arguments> familiarString() {
        return Stream.of(
                arguments("docker.io/library/busybox:latest", "busybox:latest"),
                arguments("index.docker.io/library/busybox@sha256:" + HEX64, "busybox@sha256:" + HEX64),
                arguments("docker.io/library/a/b", "library/a/b"),
                arguments("docker.io/user/app:1", "user/app:1"),
                arguments("quay.io/library/busybox:1", "quay.io/library/busybox:1"),
                arguments("localhost:5000/x", "localhost:5000/x"));
    }

    @Test
    void fullIdentifier() {
        assertThat(DockerReference.isFullIdentifier(HEX64)).isTrue();
        assertThat(DockerReference.isFullIdentifier(HEX64.substring(1))).isFalse();
        assertThat(DockerReference.isFullIdentifier(HEX64.toUpperCase())).isFalse();
    }
}
