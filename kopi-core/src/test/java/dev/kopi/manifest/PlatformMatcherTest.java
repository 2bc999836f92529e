package dev.kopi.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopi.digest.Digest;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class PlatformMatcherTest {

    /** The cases of containers/image's TestWantedPlatforms (os/arch/variant as "os/arch/variant" strings). */
    static Stream<Arguments> wantedPlatformCases() {
        return Stream.of(
                // x86_64 has no variants
                Arguments.of("linux", "amd64", null, List.of("linux/amd64/")),
                // arm with a variant: that one and the less capable ones, then no variant
                Arguments.of("linux", "arm", "v6", List.of("linux/arm/v6", "linux/arm/v5", "linux/arm/")),
                Arguments.of("linux", "arm", "v8", List.of("linux/arm/v8", "linux/arm/v7", "linux/arm/v6",
                        "linux/arm/v5", "linux/arm/")),
                // arm without a variant: no variant first, then all of them, most capable first
                Arguments.of("linux", "arm", null, List.of("linux/arm/", "linux/arm/v8", "linux/arm/v7",
                        "linux/arm/v6", "linux/arm/v5")),
                // arm64 has a base variant
                Arguments.of("linux", "arm64", null, List.of("linux/arm64/", "linux/arm64/v8")),
                Arguments.of("linux", "arm64", "v8", List.of("linux/arm64/v8", "linux/arm64/")),
                // a variant we know nothing about, for an arch with a compatibility list
                Arguments.of("linux", "arm", "v9", List.of("linux/arm/v9", "linux/arm/")),
                // completely unrecognized data
                Arguments.of("freeBSD", "armel", "custom", List.of("freeBSD/armel/custom", "freeBSD/armel/")),
                // "" means "not given"
                Arguments.of("windows", "amd64", "", List.of("windows/amd64/")));
    }

    @ParameterizedTest(name = "{0}/{1}/{2}")
    @MethodSource("wantedPlatformCases")
    void wantedPlatforms(String os, String arch, String variant, List<String> expected) {
        List<String> got = new ArrayList<>();
        for (Platform p : PlatformMatcher.wantedPlatforms(os, arch, variant)) {
            got.add(p.os() + "/" + p.architecture() + "/" + p.variant());
        }
        assertThat(got).isEqualTo(expected);
    }

    @Test
    void defaultsComeFromTheHost() {
        List<Platform> w = PlatformMatcher.wantedPlatforms(null, null, null);
        assertThat(w.get(0).os()).isEqualTo(PlatformMatcher.hostOs());
        assertThat(w.get(0).architecture()).isEqualTo(PlatformMatcher.hostArch());
        if (PlatformMatcher.hostArch().equals("arm64")) {
            // an arm64 host detects its variant (v8)
            assertThat(w).extracting(Platform::variant).containsExactly("v8", "");
        } else if (PlatformMatcher.hostArch().equals("amd64")) {
            assertThat(w).extracting(Platform::variant).containsExactly("");
        }
        // Only the OS overridden: the architecture stays the host's.
        assertThat(PlatformMatcher.wantedPlatforms("plan9", null, null).get(0).architecture())
                .isEqualTo(PlatformMatcher.hostArch());
        // An explicit architecture never auto-detects a variant, even when it is the host's.
        assertThat(PlatformMatcher.wantedPlatforms("linux", "arm64", null).get(0).variant()).isEmpty();
    }

    @Test
    void hostNamesAreGoNames() {
        assertThat(PlatformMatcher.hostOs()).isIn("linux", "darwin", "windows");
        assertThat(PlatformMatcher.hostArch()).isNotIn("x86_64", "aarch64", "i386");
    }

    private static Descriptor instance(int n, String os, String arch, String variant) {
        Platform p = os == null ? null : new Platform(os, arch, variant);
        return new Descriptor(MediaTypes.OCI_MANIFEST, digest(n), 100 + n, null, null, null, p, null);
    }

    private static Digest digest(int n) {
        return Digest.of("sha256:" + String.format("%064d", n));
    }

    private static final List<Descriptor> ARM_ZOO = List.of(
            instance(1, "linux", "amd64", null),
            instance(2, "linux", "arm", "v5"),
            instance(3, "linux", "arm", "v7"),
            instance(4, "linux", "arm64", "v8"),
            instance(5, "linux", "arm", "v6"),
            instance(6, "linux", "arm64", null),
            instance(7, "windows", "amd64", null),
            instance(8, "linux", "s390x", null));

    @ParameterizedTest(name = "{0}/{1}/{2} -> {3}")
    @CsvSource(nullValues = "-", value = {
        "linux, amd64, -, 1",
        "windows, amd64, -, 7",
        "linux, s390x, -, 8",
        // arm64 without a variant prefers the variant-less instance
        "linux, arm64, -, 6",
        "linux, arm64, v8, 4",
        // arm without a variant: the variant-less one is missing, so the most capable variant wins
        "linux, arm, -, 3",
        "linux, arm, v8, 3",
        "linux, arm, v7, 3",
        "linux, arm, v6, 5",
        "linux, arm, v5, 2",
    })
    void chooseInstanceFromAList(String os, String arch, String variant, int expected) throws ImageException {
        for (ManifestList list : List.<ManifestList>of(new OciIndex(MediaTypes.OCI_INDEX, "", ARM_ZOO, null, Map.of()),
                new Schema2List(ARM_ZOO))) {
            assertThat(PlatformMatcher.chooseInstance(list, os, arch, variant)).as(list.mediaType())
                    .isEqualTo(digest(expected));
        }
    }

    @Test
    void theFirstOfEqualMatchesWins() throws ImageException {
        List<Descriptor> twice = List.of(instance(1, "linux", "amd64", null), instance(2, "linux", "amd64", null));
        assertThat(PlatformMatcher.chooseInstance(new Schema2List(twice), "linux", "amd64", null)).isEqualTo(digest(1));
    }

    @ParameterizedTest(name = "{0}/{1}/{2}")
    @CsvSource(nullValues = "-", value = {
        "linux, arm, v4, arm, v4, linux",
        "linux, riscv64, -, riscv64, '', linux",
        "darwin, amd64, -, amd64, '', darwin",
        "linux, arm64, v9, arm64, v9, linux",
    })
    void noMatchNamesTheMostWantedPlatform(String os, String arch, String variant, String eArch, String eVariant,
            String eOs) {
        String tail = " for architecture \"" + eArch + "\", variant \"" + eVariant + "\", OS \"" + eOs + "\"";
        List<Descriptor> small = List.of(instance(1, "linux", "amd64", null), instance(2, "linux", "arm", "v7"));
        assertThatThrownBy(() -> PlatformMatcher.chooseInstance(new Schema2List(small), os, arch, variant))
                .isInstanceOf(ImageException.class).hasMessage("no image found in manifest list" + tail)
                .satisfies(e -> assertThat(((ImageException) e).code()).isEqualTo(ErrorCode.INVALID_INPUT));
        assertThatThrownBy(() -> PlatformMatcher.chooseInstance(
                new OciIndex(MediaTypes.OCI_INDEX, "", small, null, Map.of()), os, arch, variant))
                .isInstanceOf(ImageException.class).hasMessage("no image found in image index" + tail);
    }

    @Test
    void schema2ListEntriesWithoutPlatformNeverMatch() {
        List<Descriptor> l = List.of(instance(1, null, null, null));
        assertThatThrownBy(() -> PlatformMatcher.chooseInstance(new Schema2List(l), "linux", "amd64", null))
                .isInstanceOf(ImageException.class);
    }

    @Test
    void ociIndexEntriesWithoutPlatformAreTheFallback() throws ImageException {
        // containers/image (1.9.3 and HEAD): an OCI index entry without a platform is used when no entry matches,
        // and a matching entry is preferred over it wherever it comes in the list.
        List<Descriptor> l = List.of(instance(1, "linux", "s390x", null), instance(2, null, null, null),
                instance(3, null, null, null), instance(4, "linux", "amd64", null));
        OciIndex index = new OciIndex(MediaTypes.OCI_INDEX, "", l, null, Map.of());
        assertThat(PlatformMatcher.chooseInstance(index, "linux", "arm64", null)).isEqualTo(digest(2));
        assertThat(PlatformMatcher.chooseInstance(index, "linux", "amd64", null)).isEqualTo(digest(4));
        assertThat(PlatformMatcher.chooseInstance(index, "linux", "s390x", null)).isEqualTo(digest(1));
    }
}
