package dev.kopi.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopi.error.ImageException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** containers/image's validation of signature requirements in policy.json (policy_config.go), texts included. */
class PolicyParserTest {
    private static PolicyContext parse(String defaultReqs) throws ImageException {
        return PolicyContext.parse(("{\"default\":[" + defaultReqs + "]}").getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\"}"
                + "|Exactly one of keyPath, keyPaths and keyData must be specified, none of them present",
        "{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"/a\",\"keyData\":\"AA==\"}"
                + "|Exactly one of keyPath, keyPaths and keyData must be specified, more than one present",
        "{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"\"}"
                + "|exactly one of keyPath, keyPaths and keyData must be specified",
        "{\"type\":\"signedBy\",\"keyPath\":\"/a\"}|invalid keyType \"\"",
        "{\"type\":\"signedBy\",\"keyType\":\"PGP\",\"keyPath\":\"/a\"}|Unrecognized keyType value \"PGP\"",
        "{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"/a\",\"extra\":1}|Unknown key \"extra\"",
        "{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":1}|json: cannot unmarshal number into Go value of type string",
        "{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPaths\":\"/a\"}|json: cannot unmarshal string into Go value of type []string",
        "{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyData\":\"!!\"}|illegal base64 data at input byte 0",
        "{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"/a\",\"signedIdentity\":{\"type\":\"foo\"}}"
                + "|Unknown policy reference match type \"foo\"",
        "{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"/a\",\"signedIdentity\":{\"type\":\"matchExact\",\"x\":1}}"
                + "|Unknown key \"x\"",
        "{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"/a\",\"signedIdentity\":{\"type\":\"exactReference\"}}"
                + "|Key \"dockerReference\" missing in a JSON object",
        "{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"/a\",\"signedIdentity\":{\"type\":\"exactReference\",\"dockerReference\":\"busybox\"}}"
                + "|dockerReference \"busybox\" contains neither a tag nor digest",
        "{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"/a\",\"signedIdentity\":{\"type\":\"exactReference\",\"dockerReference\":\"UPPER:x\"}}"
                + "|Invalid format of dockerReference \"UPPER:x\": invalid reference format: repository name must be lowercase",
        "{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"/a\",\"signedIdentity\":{\"type\":\"exactRepository\",\"dockerRepository\":\"a//b\"}}"
                + "|Invalid format of dockerRepository \"a//b\": invalid reference format",
        "{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"/a\",\"signedIdentity\":{\"type\":\"remapIdentity\",\"prefix\":\"Bad Prefix\",\"signedPrefix\":\"quay.io\"}}"
                + "|prefix \"Bad Prefix\" is not valid",
        "{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"/a\",\"signedIdentity\":{\"type\":\"remapIdentity\",\"prefix\":\"quay.io\"}}"
                + "|Key \"signedPrefix\" missing in a JSON object",
        "{\"type\":\"signedBaseLayer\"}|Key \"baseLayerIdentity\" missing in a JSON object",
        "{\"type\":\"sigstoreSigned\"}|exactly one of keyPath, keyPaths, keyData, keyDatas, fulcio, and pki must be specified",
        "{\"type\":\"sigstoreSigned\",\"keyPath\":\"/a\",\"keyData\":\"AA==\"}"
                + "|exactly one of keyPath, keyPaths, keyData, keyDatas, fulcio, and pki must be specified",
        "{\"type\":\"sigstoreSigned\",\"keyPaths\":[]}|\"keyPaths\" contains no entries",
        "{\"type\":\"sigstoreSigned\",\"keyPath\":\"/a\",\"x\":1}|Unknown key \"x\"",
        "{\"type\":\"sigstoreSigned\",\"fulcio\":{\"caPath\":\"/ca\"}}"
                + "|At least one of rekorPublickeyPath, rekorPublicKeyPaths, rekorPublickeyData and rekorPublicKeyDatas must be specified if fulcio is used",
        "{\"type\":\"sigstoreSigned\",\"keyPath\":\"/a\",\"rekorPublicKeyPath\":\"/r\",\"rekorPublicKeyData\":\"AA==\"}"
                + "|at most one of rekorPublickeyPath, rekorPublicKeyPaths, rekorPublickeyData and rekorPublicKeyDatas can be used simultaneously",
        "\"x\"|json: cannot unmarshal string into Go value of type signature.prCommon",
        "{}|Unknown policy requirement type \"\"",
    })
    void invalidRequirements(String requirement, String message) {
        assertThatThrownBy(() -> parse(requirement)).isInstanceOf(ImageException.class).hasMessage(message);
    }

    @Test
    void validRequirementsParse() throws Exception {
        PolicyContext p = parse("{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"/k\"},"
                + "{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPaths\":[\"/a\",\"/b\"],"
                + "\"signedIdentity\":{\"type\":\"remapIdentity\",\"prefix\":\"example.com/a\",\"signedPrefix\":\"quay.io\"}},"
                + "{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyData\":\"AAEC\","
                + "\"signedIdentity\":{\"type\":\"exactReference\",\"dockerReference\":\"busybox:latest\"}},"
                + "{\"type\":\"sigstoreSigned\",\"keyPath\":\"/k.pub\",\"signedIdentity\":{\"type\":\"matchRepository\"}},"
                + "{\"type\":\"signedBaseLayer\",\"baseLayerIdentity\":{\"type\":\"exactRepository\",\"dockerRepository\":\"busybox\"}}");
        var reqs = p.requirementsFor(dev.kopi.transport.Transports.parseImageName("dir:/x"));
        assertThat(reqs).hasSize(5);
        var first = (PolicyRequirement.SignedBy) reqs.get(0);
        assertThat(first.keyPath()).isEqualTo("/k");
        assertThat(first.signedIdentity()).isEqualTo(new ReferenceMatch.MatchRepoDigestOrExact());
        var second = (PolicyRequirement.SignedBy) reqs.get(1);
        assertThat(second.keyPaths()).containsExactly("/a", "/b");
        assertThat(second.signedIdentity()).isEqualTo(new ReferenceMatch.RemapIdentity("example.com/a", "quay.io"));
        assertThat(((PolicyRequirement.SignedBy) reqs.get(2)).keyData()).containsExactly(0, 1, 2);
        assertThat(reqs.get(3)).isInstanceOf(PolicyRequirement.SigstoreSigned.class);
    }

    @Test
    void scopesTheTransportRejectsAreUnknownKeys() {
        // oci: scopes must be absolute paths (containers/image ignores the value and reports the key as unknown)
        assertThatThrownBy(() -> PolicyContext.parse(("{\"default\":[{\"type\":\"reject\"}],\"transports\":"
                + "{\"oci\":{\"relative/path\":[{\"type\":\"reject\"}]}}}").getBytes(StandardCharsets.UTF_8)))
                .hasMessage("Unknown key \"relative/path\"");
        // transports kopi does not know are not validated
        org.assertj.core.api.Assertions.assertThatCode(() -> PolicyContext.parse(("{\"default\":[{\"type\":\"reject\"}],"
                + "\"transports\":{\"atomic\":{\"whatever\":[{\"type\":\"reject\"}]}}}").getBytes(StandardCharsets.UTF_8)))
                .doesNotThrowAnyException();
    }
}
