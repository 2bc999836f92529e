package dev.kopi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code list-tags --include/--exclude} and {@code list-repos} name parsing (beyond skopeo). */
class ListingTest {
    private static final TagList TAGS = new TagList("r.example/app",
            List.of("1.0", "1.0.1", "1.1-rc1", "2.0", "latest", "sha256-abc.sig", "v1.0"));

    @ParameterizedTest(name = "include={0} exclude={1}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "-|-|1.0 1.0.1 1.1-rc1 2.0 latest sha256-abc.sig v1.0",
        "^1\\.|-|1.0 1.0.1 1.1-rc1",
        "1\\.0|-|1.0 1.0.1 v1.0",
        "^1\\.0$|-|1.0",
        "^1\\.,^2|rc|1.0 1.0.1 2.0",
        "-|\\.sig$,^latest$|1.0 1.0.1 1.1-rc1 2.0 v1.0",
        "nomatch|-|''",
    })
    void keepsTagsMatchingAnIncludeAndNoExclude(String include, String exclude, String expected) throws Exception {
        TagList t = TAGS.filtered(split(include), split(exclude));
        assertThat(t.repository()).isEqualTo("r.example/app");
        assertThat(t.tags()).containsExactlyElementsOf(split(expected));
    }

    private static List<String> split(String s) {
        return s == null || s.isEmpty() ? List.of() : Arrays.asList(s.split("[, ]"));
    }

    @Test
    void aBadRegexIsAnInvalidInputNamingTheFlag() {
        assertThatThrownBy(() -> TAGS.filtered(List.of("("), List.of()))
                .isInstanceOf(ImageException.class).hasMessageStartingWith("invalid --include regular expression \"(\"")
                .satisfies(e -> assertThat(((ImageException) e).code()).isEqualTo(ErrorCode.INVALID_INPUT));
    }

    @ParameterizedTest
    @CsvSource({
        "docker://127.0.0.1:5000, 127.0.0.1:5000",
        "docker://localhost:5000/, localhost:5000",
        "docker://quay.io, quay.io",
        "docker://docker.io, docker.io",
    })
    void registryNames(String name, String host) throws Exception {
        assertThat(Kopi.parseRegistryName(name)).isEqualTo(host);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "docker://quay.io/org|Invalid registry \"docker://quay.io/org\": expected docker://HOST[:PORT] with no repository",
        "docker://busybox|Invalid registry \"docker://busybox\": expected docker://HOST[:PORT] with no repository",
        "docker://|Invalid registry \"docker://\": expected docker://HOST[:PORT] with no repository",
        "oci:/x|Unsupported transport 'oci' for repository listing. Only supported: docker",
        "quay.io|Invalid \"quay.io\": does not specify a transport",
    })
    void badRegistryNames(String name, String message) {
        assertThatThrownBy(() -> Kopi.parseRegistryName(name)).isInstanceOf(ImageException.class).hasMessage(message);
    }
}
