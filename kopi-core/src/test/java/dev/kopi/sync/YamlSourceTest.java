package dev.kopi.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopi.error.ImageException;
import dev.kopi.transport.ImageContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class YamlSourceTest {
    @Test
    void parsesEveryKeyInFileOrderAndKeepsScalarsAsWritten() throws ImageException {
        YamlSource y = YamlSource.parse("""
                registry.example.com:
                  images:
                    busybox: []
                    redis:
                      - "1.0"
                      - 1.10
                      - sha256:0000000000000000000000000000000000000000000000000000000000000000
                    nginx:
                  images-by-tag-regex:
                    nginx: ^1\\.13\\.[12]-alpine-perl$
                  images-by-semver:
                    alpine: ">= 3.12.0"
                  images-exclude-regex:
                    busybox: -rc
                  credentials:
                    username: john
                    password: this is a secret
                  tls-verify: true
                  cert-dir: /home/john/certs
                  unknown-key: ignored
                quay.io:
                  tls-verify: no
                """);
        assertThat(y.registries()).containsOnlyKeys("registry.example.com", "quay.io");
        YamlSource.Registry r = y.registries().get("registry.example.com");
        assertThat(r.images().keySet()).containsExactly("busybox", "redis", "nginx");
        assertThat(r.images().get("busybox")).isEmpty();
        assertThat(r.images().get("nginx")).isEmpty();
        assertThat(r.images().get("redis")).containsExactly("1.0", "1.10",
                "sha256:0000000000000000000000000000000000000000000000000000000000000000");
        assertThat(r.imagesByTagRegex()).containsEntry("nginx", "^1\\.13\\.[12]-alpine-perl$");
        assertThat(r.imagesBySemver()).containsEntry("alpine", ">= 3.12.0");
        assertThat(r.imagesExcludeRegex()).containsEntry("busybox", "-rc");
        assertThat(r.username()).isEqualTo("john");
        assertThat(r.password()).isEqualTo("this is a secret");
        assertThat(r.tlsVerify()).contains(true);
        assertThat(r.certDir()).isEqualTo("/home/john/certs");
        YamlSource.Registry q = y.registries().get("quay.io");
        assertThat(q.noImages()).isTrue();
        assertThat(q.tlsVerify()).contains(false);
    }

    @Test
    void emptyDocumentHasNoRegistries() throws ImageException {
        assertThat(YamlSource.parse("").registries()).isEmpty();
        assertThat(YamlSource.parse("# nothing\n").registries()).isEmpty();
    }

    @Test
    void typeErrorsAreListedWithLines() {
        assertThatThrownBy(() -> YamlSource.parse("r:\n  images:\n    a: b\n  tls-verify: maybe\n"))
                .isInstanceOf(ImageException.class)
                .hasMessage("yaml: unmarshal errors:\n  line 3: cannot unmarshal !!str `b` into []string\n"
                        + "  line 4: cannot unmarshal !!str `maybe` into bool");
    }

    @Test
    void syntaxErrorsNameTheLine() {
        assertThatThrownBy(() -> YamlSource.parse("r:\n  images: [\n")).isInstanceOf(ImageException.class)
                .hasMessageStartingWith("yaml: line ");
    }

    @Test
    void registryContextOverridesOnlyWhatIsGiven() throws ImageException {
        ImageContext base = ImageContext.builder().tlsVerify(Optional.of(false)).noCredentials(true)
                .certDir(Path.of("/base")).build();
        YamlSource.Registry none = YamlSource.parse("r:\n  images:\n    a: []\n").registries().get("r");
        ImageContext c = SyncPlanner.registryContext(none, base);
        assertThat(c.tlsVerify()).contains(false); // kept from the command line, as newest skopeo
        assertThat(c.certDir()).isNull(); // cert-dir always comes from the entry
        assertThat(c.credentials()).isNull();
        YamlSource.Registry all = YamlSource.parse("r:\n  tls-verify: true\n  cert-dir: /c\n"
                + "  credentials:\n    username: u\n    password: p\n").registries().get("r");
        ImageContext d = SyncPlanner.registryContext(all, base);
        assertThat(d.tlsVerify()).contains(true);
        assertThat(d.certDir()).isEqualTo(Path.of("/c"));
        assertThat(d.credentials()).isEqualTo("u:p");
        assertThat(d.noCredentials()).isFalse();
        assertThat(List.of(all.noImages(), none.noImages())).containsExactly(true, false);
    }
}
