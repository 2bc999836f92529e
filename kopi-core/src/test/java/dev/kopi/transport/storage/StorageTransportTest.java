package dev.kopi.transport.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.error.InvalidReferenceException;
import dev.kopi.transport.ImageContext;
import dev.kopi.transport.Transports;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** containers/image storage/storage_transport_test.go and storage_reference_test.go, plus skopeo's error texts. */
class StorageTransportTest {
    private static final String HEX = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private static final String DIGEST2 = "sha256:" + "a".repeat(64);
    private static final String DIGEST3 = "sha256:" + "b".repeat(64);
    private static final StorageTransport T = StorageTransport.INSTANCE;
    private static final StoreSpec STORE = new StoreSpec("vfs", "/var/lib/kopi-test", "/run/kopi-test", List.of());
    private static final String STORE_PREFIX = "[vfs@/var/lib/kopi-test+/run/kopi-test]";
    private static final String POLICY_PREFIX = "[vfs@/var/lib/kopi-test]";

    @BeforeEach
    void unconfiguredResolver() {
        T.setStoreResolver(StoreResolver.UNCONFIGURED);
    }

    @AfterEach
    void restoreResolver() {
        T.setStoreResolver(DefaultStoreResolver.system());
    }

    @Test
    void name() {
        assertThat(T.name()).isEqualTo("containers-storage");
        assertThat(Transports.get("containers-storage")).isSameAs(T);
    }

    // ----- ParseStoreReference --------------------------------------------------------------------------------

    /** input, expected named reference (null: none), expected ID (null: none). */
    static Stream<Arguments> parseStoreReferenceValid() {
        return Stream.of(
                arguments("[garbage]busybox", "docker.io/library/busybox:latest", null),
                arguments("sha256:" + HEX, "docker.io/library/sha256:" + HEX, null),
                arguments("@" + HEX, null, HEX),
                arguments("sha256:ab", "docker.io/library/sha256:ab", null),
                arguments("busybox", "docker.io/library/busybox:latest", null),
                arguments("busybox:notlatest", "docker.io/library/busybox:notlatest", null),
                arguments("docker.io/library/busybox:notlatest", "docker.io/library/busybox:notlatest", null),
                arguments("busybox@sha256:" + HEX, "docker.io/library/busybox@sha256:" + HEX, null),
                arguments("busybox@" + HEX, "docker.io/library/busybox:latest", HEX),
                arguments("busybox:notlatest@" + HEX, "docker.io/library/busybox:notlatest", HEX),
                arguments("docker.io/library/busybox:notlatest@" + HEX, "docker.io/library/busybox:notlatest", HEX),
                arguments("docker.io/library/busybox:notlatest@" + DIGEST2,
                        "docker.io/library/busybox:notlatest@" + DIGEST2, null),
                arguments("busybox@" + DIGEST2 + "@" + HEX, "docker.io/library/busybox@" + DIGEST2, HEX),
                arguments("docker.io/library/busybox@" + DIGEST2 + "@" + HEX, "docker.io/library/busybox@" + DIGEST2,
                        HEX),
                arguments("docker.io/library/busybox:notlatest@sha256:" + HEX + "@" + HEX,
                        "docker.io/library/busybox:notlatest@sha256:" + HEX, HEX));
    }

    @ParameterizedTest
    @MethodSource
    void parseStoreReferenceValid(String input, String named, String id) throws Exception {
        StorageReference ref = T.parseStoreReference(STORE, input);
        assertThat(ref.store()).isEqualTo(STORE);
        assertThat(ref.dockerReference().map(Object::toString).orElse(null)).isEqualTo(named);
        assertThat(ref.id().orElse(null)).isEqualTo(id);
    }

    static Stream<Arguments> parseStoreReferenceInvalid() {
        return Stream.of(
                arguments("", "\"\" is an empty reference: invalid reference"),
                arguments("[unterminated", "store specifier in \"[unterminated\" did not end: invalid reference"),
                arguments("UPPERCASEISINVALID", "parsing named reference \"UPPERCASEISINVALID\": invalid reference "
                        + "format: repository name must be lowercase"),
                arguments(HEX, "parsing named reference \"" + HEX + "\": invalid repository name (" + HEX
                        + "), cannot specify 64-byte hexadecimal strings"),
                arguments("@sha256:" + HEX, "parsing named reference \"@sha256:" + HEX
                        + "\": invalid reference format"),
                arguments("UPPERCASEISINVALID@" + HEX, "parsing named reference \"UPPERCASEISINVALID\": invalid "
                        + "reference format: repository name must be lowercase"),
                arguments("busybox@ab", "\"ab\" does not look like an image ID or digest: invalid reference"),
                arguments("busybox@", "empty trailing digest or ID in \"busybox@\": invalid reference"),
                arguments("busybox@sha256:ab",
                        "\"sha256:ab\" does not look like an image ID or digest: invalid reference"),
                arguments("busybox@sha256:" + HEX + "@ab",
                        "\"ab\" does not look like an image ID or digest: invalid reference"),
                arguments("busybox@ab@" + HEX, "parsing named reference \"busybox@ab\": invalid reference format"),
                arguments("busybox@@" + HEX, "parsing named reference \"busybox@\": invalid reference format"),
                arguments("busybox:notlatest@" + DIGEST2 + "@" + DIGEST3 + "@" + HEX, "parsing named reference "
                        + "\"busybox:notlatest@" + DIGEST2 + "@" + DIGEST3 + "\": invalid reference format"),
                arguments("[/c]", "invalid reference"));
    }

    @ParameterizedTest
    @MethodSource
    void parseStoreReferenceInvalid(String input, String message) {
        assertThatThrownBy(() -> T.parseStoreReference(STORE, input))
                .isInstanceOf(InvalidReferenceException.class).hasMessage(message);
    }

    // ----- ParseReference: the store spec ---------------------------------------------------------------------

    /** prefix, expected store. */
    static Stream<Arguments> storeSpecValid() {
        return Stream.of(
                arguments("", StoreSpec.UNSPECIFIED),
                arguments("[vfs@/root3+/root4]", new StoreSpec("vfs", "/root3", "/root4", List.of())),
                arguments("[vfs@/root3+/root4:o1,o2,o3]", new StoreSpec("vfs", "/root3", "/root4",
                        List.of("o1", "o2", "o3"))),
                arguments("[/root1]", new StoreSpec("", "/root1", "", List.of())),
                arguments("[overlay@/root1]", new StoreSpec("overlay", "/root1", "", List.of())),
                arguments("[/root1:a,,b]", new StoreSpec("", "/root1", "", List.of("a", "", "b"))),
                arguments("[vfs@/a//b/./c/../d/+/run/]", new StoreSpec("vfs", "/a/b/d", "/run", List.of())));
    }

    @ParameterizedTest
    @MethodSource
    void storeSpecValid(String prefix, StoreSpec expected) throws Exception {
        StorageReference ref = T.parseReference(prefix + "busybox");
        assertThat(ref.store()).isEqualTo(expected);
        assertThat(ref.dockerReference()).map(Object::toString).contains("docker.io/library/busybox:latest");
    }

    static Stream<Arguments> storeSpecInvalid() {
        return Stream.of(
                arguments("[unterminated", "invalid reference"), // skopeo
                arguments("[unterminatedbusybox", "invalid reference"),
                arguments("[]x", "invalid reference"), // skopeo
                arguments("[relative/path]busybox", "path name is not absolute"), // skopeo
                arguments("[vfs@relative/path]busybox", "path name is not absolute"),
                arguments("[@/root2]busybox", "invalid reference"), // skopeo
                arguments("[vfs@]busybox", "invalid reference"),
                arguments("[vfs@/root3+relative/path]busybox", "path name is not absolute"),
                arguments("[/root3]", "\"\" is an empty reference: invalid reference"),
                // The rest of the reference may carry one more store spec, which is dropped.
                arguments("[/a+/b][/c]", "invalid reference"));
    }

    @ParameterizedTest
    @MethodSource
    void storeSpecInvalid(String input, String message) {
        assertThatThrownBy(() -> T.parseReference(input))
                .isInstanceOf(InvalidReferenceException.class).hasMessage(message);
    }

    @Test
    void resolverFillsTheStoreAndItsErrorsAreParseErrors() throws Exception {
        T.setStoreResolver(new FakeResolver(Map.of()));
        assertThat(T.parseReference("busybox").store()).isEqualTo(FakeResolver.DEFAULT);
        assertThat(T.parseReference("[/custom]busybox").store())
                .isEqualTo(new StoreSpec("overlay", "/custom", "/run/default", List.of()));
        assertThatThrownBy(() -> T.parseReference("[unknown@/x]busybox"))
                .isInstanceOf(InvalidReferenceException.class)
                .hasMessage("failed to GetDriver graph unknown /x: driver not supported");
    }

    @Test
    void truncatedIdsAreExpandedThroughTheResolver() throws Exception {
        String id = "abcdef" + HEX.substring(6);
        T.setStoreResolver(new FakeResolver(Map.of("abc", id, "abcdef", id, "named", "f".repeat(64), "ab", id)));
        // A bare prefix of an image ID names the image.
        StorageReference ref = T.parseReference("abcdef");
        assertThat(ref.id()).contains(id);
        assertThat(ref.dockerReference()).isEmpty();
        // ... as does name@prefix.
        ref = T.parseReference("busybox@abc");
        assertThat(ref.id()).contains(id);
        assertThat(ref.dockerReference()).map(Object::toString).contains("docker.io/library/busybox:latest");
        // A lookup that matched by name, not by ID prefix, does not count: "named" is a name.
        ref = T.parseReference("named");
        assertThat(ref.id()).isEmpty();
        assertThat(ref.dockerReference()).map(Object::toString).contains("docker.io/library/named:latest");
        // Prefixes shorter than 3 characters are never IDs.
        assertThatThrownBy(() -> T.parseReference("busybox@ab"))
                .hasMessage("\"ab\" does not look like an image ID or digest: invalid reference");
        assertThat(T.parseReference("ab").dockerReference()).map(Object::toString)
                .contains("docker.io/library/ab:latest");
    }

    // ----- References -----------------------------------------------------------------------------------------

    /** input, Docker reference (null: none), canonical form, namespaces (without the store parts). */
    static Stream<Arguments> validReferences() {
        return Stream.of(
                arguments("busybox", "docker.io/library/busybox:latest", "docker.io/library/busybox:latest",
                        List.of("docker.io/library/busybox", "docker.io/library", "docker.io")),
                arguments("example.com/myns/ns2/busybox:notlatest", "example.com/myns/ns2/busybox:notlatest",
                        "example.com/myns/ns2/busybox:notlatest",
                        List.of("example.com/myns/ns2/busybox", "example.com/myns/ns2", "example.com/myns",
                                "example.com")),
                arguments("@" + HEX, null, "@" + HEX, List.of()),
                arguments("busybox@" + HEX, "docker.io/library/busybox:latest",
                        "docker.io/library/busybox:latest@" + HEX,
                        List.of("docker.io/library/busybox:latest", "docker.io/library/busybox", "docker.io/library",
                                "docker.io")),
                arguments("busybox@sha256:" + HEX, "docker.io/library/busybox@sha256:" + HEX,
                        "docker.io/library/busybox@sha256:" + HEX,
                        List.of("docker.io/library/busybox", "docker.io/library", "docker.io")),
                arguments("busybox:notlatest@" + HEX, "docker.io/library/busybox:notlatest",
                        "docker.io/library/busybox:notlatest@" + HEX,
                        List.of("docker.io/library/busybox:notlatest", "docker.io/library/busybox",
                                "docker.io/library", "docker.io")),
                arguments("busybox:notlatest@sha256:" + HEX, "docker.io/library/busybox:notlatest@sha256:" + HEX,
                        "docker.io/library/busybox:notlatest@sha256:" + HEX,
                        List.of("docker.io/library/busybox:notlatest", "docker.io/library/busybox",
                                "docker.io/library", "docker.io")),
                arguments("busybox@" + DIGEST2 + "@" + HEX, "docker.io/library/busybox@" + DIGEST2,
                        "docker.io/library/busybox@" + DIGEST2 + "@" + HEX,
                        List.of("docker.io/library/busybox@" + DIGEST2, "docker.io/library/busybox",
                                "docker.io/library", "docker.io")),
                arguments("busybox:notlatest@" + DIGEST2 + "@" + HEX, "docker.io/library/busybox:notlatest@" + DIGEST2,
                        "docker.io/library/busybox:notlatest@" + DIGEST2 + "@" + HEX,
                        List.of("docker.io/library/busybox:notlatest@" + DIGEST2, "docker.io/library/busybox:notlatest",
                                "docker.io/library/busybox", "docker.io/library", "docker.io")));
    }

    @ParameterizedTest
    @MethodSource("validReferences")
    void referenceForms(String input, String dockerRef, String canonical, List<String> namespaces)
            throws Exception {
        StorageReference ref = T.parseReference(STORE_PREFIX + input);
        assertThat(ref.dockerReference().map(Object::toString).orElse(null)).isEqualTo(dockerRef);
        assertThat(ref.stringWithinTransport()).isEqualTo(STORE_PREFIX + canonical);
        assertThat(ref.imageName()).isEqualTo("containers-storage:" + STORE_PREFIX + canonical);
        assertThat(T.parseReference(ref.stringWithinTransport())).isEqualTo(ref);
        assertThat(ref.policyConfigurationIdentity()).isEqualTo(POLICY_PREFIX + canonical);
        List<String> expectedNs = new ArrayList<>();
        namespaces.forEach(n -> expectedNs.add(POLICY_PREFIX + n));
        expectedNs.add(POLICY_PREFIX);
        expectedNs.add("[/var/lib/kopi-test]");
        assertThat(ref.policyConfigurationNamespaces()).isEqualTo(expectedNs);
        for (String scope : ref.policyConfigurationNamespaces()) {
            T.validatePolicyConfigurationScope(scope);
        }
        T.validatePolicyConfigurationScope(ref.policyConfigurationIdentity());
    }

    @ParameterizedTest
    @MethodSource("validReferences")
    void defaultStoreRoundTripsWithoutAResolver(String input, String dockerRef, String canonical) throws Exception {
        StorageReference ref = T.parseReference(input);
        assertThat(ref.stringWithinTransport()).isEqualTo(canonical);
        assertThat(T.parseReference(ref.stringWithinTransport())).isEqualTo(ref);
    }

    @Test
    void optionsArePrinted() throws Exception {
        StorageReference ref = T.parseReference("[overlay@/g+/r:a=1,b]busybox");
        assertThat(ref.stringWithinTransport()).isEqualTo("[overlay@/g+/r:a=1,b]docker.io/library/busybox:latest");
        assertThat(ref.policyConfigurationIdentity()).isEqualTo("[overlay@/g]docker.io/library/busybox:latest");
    }

    @Test
    void newReferenceChecks() throws Exception {
        assertThatThrownBy(() -> StorageReference.of(STORE, null, null)).hasMessage("invalid reference");
        assertThatThrownBy(() -> StorageReference.of(STORE, null, "ab"))
                .hasMessage("invalid ID value \"ab\": invalid checksum digest length: invalid reference");
        assertThatThrownBy(() -> StorageReference.of(STORE,
                dev.kopi.reference.DockerReference.parseNormalized("busybox"), null))
                .hasMessage("reference docker.io/library/busybox has neither a tag nor a digest: invalid reference");
    }

    // ----- Policy scopes --------------------------------------------------------------------------------------

    static Stream<String> validScopes() {
        return Stream.of("[/var/lib/kopi-testsuffix1]", "[vfs@/var/lib/kopi-testsuffix3]", POLICY_PREFIX + "@" + HEX,
                POLICY_PREFIX + "docker.io", POLICY_PREFIX + "docker.io/library",
                POLICY_PREFIX + "docker.io/library/busybox", POLICY_PREFIX + "docker.io/library/busybox:notlatest",
                POLICY_PREFIX + "docker.io/library/busybox:notlatest@" + HEX,
                POLICY_PREFIX + "docker.io/library/busybox@" + DIGEST2,
                POLICY_PREFIX + "docker.io/library/busybox@" + DIGEST2 + "@" + HEX,
                POLICY_PREFIX + "docker.io/library/busybox:notlatest@" + DIGEST2,
                POLICY_PREFIX + "docker.io/library/busybox:notlatest@" + DIGEST2 + "@" + HEX, "");
    }

    @ParameterizedTest
    @MethodSource
    void validScopes(String scope) throws Exception {
        T.validatePolicyConfigurationScope(scope);
    }

    static Stream<Arguments> invalidScopes() {
        String p = POLICY_PREFIX + "docker.io/library/busybox@";
        return Stream.of(
                arguments("busybox", "invalid reference"),
                arguments("[unterminated", "invalid reference"),
                arguments("[]", "invalid reference"),
                arguments("[relative/path]", "path name is not absolute"),
                arguments("[vfs@relative/path]", "path name is not absolute"),
                arguments("[@/x]", "invalid reference"),
                arguments("[vfs@]", "invalid reference"),
                arguments(POLICY_PREFIX + "@", " is neither a valid digest(invalid checksum digest format) nor a "
                        + "valid ID(invalid checksum digest format)"),
                arguments(p + "sha256:ab", "sha256:ab is neither a valid digest(invalid checksum digest length) nor a "
                        + "valid ID(invalid checksum digest length)"),
                arguments(p + "ab", "ab is neither a valid digest(invalid checksum digest format) nor a valid "
                        + "ID(invalid checksum digest length)"),
                arguments(p, " is neither a valid digest(invalid checksum digest format) nor a valid ID(invalid "
                        + "checksum digest format)"),
                arguments(p + "@" + HEX, "invalid checksum digest format"),
                arguments(p + "ab@" + HEX, "invalid checksum digest format"),
                arguments(p + "sha256:ab@" + HEX, "invalid checksum digest length"),
                arguments(p + DIGEST2 + "@", "invalid checksum digest format"),
                arguments(p + DIGEST2 + "@ab", "invalid checksum digest length"));
    }

    @ParameterizedTest
    @MethodSource
    void invalidScopes(String scope, String message) {
        assertThatThrownBy(() -> T.validatePolicyConfigurationScope(scope))
                .isInstanceOf(InvalidReferenceException.class).hasMessage(message);
    }

    @Test
    void missingImagesAreNotFoundAndNothingIsCreated(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        java.nio.file.Path root = tmp.resolve("root");
        StorageReference ref = T.parseStoreReference(new StoreSpec("vfs", root.toString(),
                tmp.resolve("run").toString(), List.of()), "busybox");
        ImageContext ctx = ImageContext.builder().tmpDir(tmp).build();
        assertThatThrownBy(() -> ref.newImageSource(ctx))
                .hasMessage("reference \"[vfs@" + root + "+" + tmp.resolve("run")
                        + "]docker.io/library/busybox:latest\" does not resolve to an image ID: identifier is not an image")
                .matches(e -> ((ImageException) e).code() == ErrorCode.NOT_FOUND);
        assertThat(root).doesNotExist();
        assertThatThrownBy(() -> ref.deleteImage(ctx)).matches(e -> ((ImageException) e).code() == ErrorCode.NOT_FOUND);
        assertThat(root).doesNotExist();
    }

    @Test
    void unsupportedDriversAreRefused() {
        assertThatThrownBy(() -> Store.open(new StoreSpec("foo", "/r", "/rr", List.of())))
                .hasMessage("failed to GetDriver graph foo /r: driver not supported");
        assertThatThrownBy(() -> Store.open(new StoreSpec("btrfs", "/r", "/rr", List.of())))
                .hasMessage("the \"btrfs\" storage driver of /r is not supported by kopi (only \"vfs\" and"
                        + " \"overlay\" are)");
        assertThatThrownBy(() -> Store.open(new StoreSpec("vfs", "/r", "/rr", List.of("vfs.bogus=1"))))
                .hasMessage("vfs driver does not support vfs.bogus options");
    }

    /** A resolver with a fixed default store and a name → ID table standing for Store.Image lookups. */
    private record FakeResolver(Map<String, String> images) implements StoreResolver {
        static final StoreSpec DEFAULT = new StoreSpec("overlay", "/var/lib/default", "/run/default", List.of());

        @Override
        public StoreSpec resolve(StoreSpec requested) throws ImageException {
            if (requested.isUnspecified()) {
                return DEFAULT;
            }
            if (requested.driver().equals("unknown")) {
                throw ImageException.invalid("failed to GetDriver graph unknown " + requested.graphRoot()
                        + ": driver not supported");
            }
            return new StoreSpec(requested.driver().isEmpty() ? "overlay" : requested.driver(),
                    requested.graphRoot(), requested.runRoot().isEmpty() ? "/run/default" : requested.runRoot(),
                    requested.options());
        }

        @Override
        public Optional<String> lookupImageId(StoreSpec store, String idOrName) {
            return Optional.ofNullable(images.get(idOrName));
        }
    }
}
