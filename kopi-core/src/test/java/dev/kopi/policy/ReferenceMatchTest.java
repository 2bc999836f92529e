package dev.kopi.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopi.transport.Transports;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every signedIdentity kind, with containers/image's semantics (policy_reference_match.go). */
class ReferenceMatchTest {
    private static final String D = "sha256:962b1ae83825c37b6eb3ee98dbe587461074a338cc0b838a635d274e2844096d";

    private static ReferenceMatch match(String kind) {
        return switch (kind) {
            case "matchExact" -> new ReferenceMatch.MatchExact();
            case "matchRepoDigestOrExact" -> new ReferenceMatch.MatchRepoDigestOrExact();
            case "matchRepository" -> new ReferenceMatch.MatchRepository();
            case "exactReference" -> new ReferenceMatch.ExactReference("quay.io/ns/repo:v1");
            case "exactRepository" -> new ReferenceMatch.ExactRepository("quay.io/ns/repo");
            case "remapIdentity" -> new ReferenceMatch.RemapIdentity("mirror.example.com/ns", "quay.io/ns");
            default -> throw new IllegalArgumentException(kind);
        };
    }

    @ParameterizedTest(name = "{0}: {1} signed as {2} -> {3}")
    @CsvSource({
        "matchExact, docker://busybox:latest, docker.io/library/busybox:latest, true",
        "matchExact, docker://busybox:latest, busybox:latest, true",
        "matchExact, docker://busybox:latest, busybox:other, false",
        "matchExact, docker://busybox:latest, busybox, false",
        "matchExact, docker://busybox@" + D + ", busybox@" + D + ", true",
        "matchExact, docker://busybox@" + D + ", busybox:latest, false",
        "matchExact, dir:/x, busybox:latest, false",
        "matchExact, docker://busybox:latest, INVALID@@, false",
        "matchRepoDigestOrExact, docker://busybox:latest, busybox:latest, true",
        "matchRepoDigestOrExact, docker://busybox:latest, busybox:other, false",
        "matchRepoDigestOrExact, docker://busybox:latest, busybox@" + D + ", false",
        "matchRepoDigestOrExact, docker://busybox@" + D + ", busybox:anything, true",
        "matchRepoDigestOrExact, docker://busybox@" + D + ", other/repo:latest, false",
        "matchRepoDigestOrExact, docker://busybox@" + D + ", busybox, false",
        "matchRepoDigestOrExact, dir:/x, busybox:latest, false",
        "matchRepository, docker://busybox:latest, busybox:other, true",
        "matchRepository, docker://busybox:latest, busybox, true",
        "matchRepository, docker://busybox:latest, quay.io/busybox:latest, false",
        "matchRepository, dir:/x, busybox:latest, false",
        "exactReference, dir:/x, quay.io/ns/repo:v1, true",
        "exactReference, docker://busybox:latest, quay.io/ns/repo:v1, true",
        "exactReference, docker://quay.io/ns/repo:v1, quay.io/ns/repo:v2, false",
        "exactReference, docker://quay.io/ns/repo:v1, quay.io/ns/repo, false",
        "exactRepository, dir:/x, quay.io/ns/repo:anything, true",
        "exactRepository, docker://quay.io/ns/repo:v1, quay.io/ns/other:v1, false",
        "remapIdentity, docker://mirror.example.com/ns/repo:v1, quay.io/ns/repo:v1, true",
        "remapIdentity, docker://mirror.example.com/ns/repo:v1, mirror.example.com/ns/repo:v1, false",
        "remapIdentity, docker://mirror.example.com/ns/repo:v1, quay.io/ns/repo:v2, false",
        "remapIdentity, docker://mirror.example.com/ns/repo@" + D + ", quay.io/ns/repo:any, true",
        "remapIdentity, docker://other.example.com/ns/repo:v1, other.example.com/ns/repo:v1, true",
        "remapIdentity, docker://mirror.example.com/nsx/repo:v1, quay.io/nsx/repo:v1, false",
        "remapIdentity, docker://mirror.example.com/nsx/repo:v1, mirror.example.com/nsx/repo:v1, true",
        "remapIdentity, dir:/x, quay.io/ns/repo:v1, false",
    })
    void matches(String kind, String image, String signed, boolean expected) throws Exception {
        assertThat(match(kind).matches(Transports.parseImageName(image), signed)).isEqualTo(expected);
    }
}
