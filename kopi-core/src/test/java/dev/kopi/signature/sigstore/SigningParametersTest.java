package dev.kopi.signature.sigstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningParametersTest {
    @TempDir
    Path tmp;

    @Test
    void privateKeyParameters() throws Exception {
        Path p = Files.writeString(tmp.resolve("p.yaml"), "privateKeyFile: /k/key.private\nprivateKeyPassphraseFile: /k/pw\n");
        assertThat(SigningParameters.parseFile(p)).isEqualTo(new SigningParameters("/k/key.private", "/k/pw", false, ""));
    }

    @Test
    void fulcioAndRekorAreRecognised() throws Exception {
        Path p = Files.writeString(tmp.resolve("p.yaml"),
                "fulcio:\n  fulcioURL: https://f\n  oidcMode: interactive\nrekorURL: https://r\n");
        assertThat(SigningParameters.parseFile(p)).isEqualTo(new SigningParameters("", "", true, "https://r"));
    }

    @Test
    void unknownFieldsAreRefusedAsKnownFieldsDoes() throws Exception {
        Path p = Files.writeString(tmp.resolve("p.yaml"), "privateKeyFile: a\nprivateKey: b\n");
        assertThatThrownBy(() -> SigningParameters.parseFile(p)).hasMessage("parsing \"" + p
                + "\": yaml: unmarshal errors:\n  line 2: field privateKey not found in type params.SigningParameterFile");
        Path f = Files.writeString(tmp.resolve("f.yaml"), "fulcio:\n  url: x\n");
        assertThatThrownBy(() -> SigningParameters.parseFile(f)).hasMessageEndingWith(
                "line 2: field url not found in type params.SigningParameterFileFulcio");
    }

    @Test
    void missingFileAndEmptyFile() throws Exception {
        Path missing = tmp.resolve("missing.yaml");
        assertThatThrownBy(() -> SigningParameters.parseFile(missing))
                .hasMessage("reading \"" + missing + "\": open " + missing + ": no such file or directory");
        Path empty = Files.writeString(tmp.resolve("e.yaml"), "");
        assertThatThrownBy(() -> SigningParameters.parseFile(empty)).hasMessage("parsing \"" + empty + "\": EOF");
    }
}
