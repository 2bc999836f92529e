package dev.kopi.transport.docker;


import dev.kopi.digest.Digest;
import dev.kopi.error.ImageException;
import dev.kopi.error.InvalidReferenceException;
import dev.kopi.internal.go.GoStrconv;
import dev.kopi.reference.DockerPolicyScopes;
import dev.kopi.reference.DockerReference;
import dev.kopi.transport.ImageContext;
import dev.kopi.transport.ImageDestination;
import dev.kopi.transport.ImageSource;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * A {@code docker://} image reference: a normalized Docker reference with a tag or a digest (never both), or a
 * name-only reference marked "unknown digest" for pushing without a tag.
 */
public final class DockerImageReference implements dev.kopi.transport.ImageReference {
    private final DockerReference ref;
    private final boolean unknownDigest;

    private DockerImageReference(DockerReference ref, boolean unknownDigest) {
        this.ref = ref;
        this.unknownDigest = unknownDigest;
    }

    /** A reference for a Docker name with a tag or a digest (NewReference). */
    public static DockerImageReference of(DockerReference ref) throws InvalidReferenceException {
        return create(ref, false);
    }

    /** A reference for a name-only Docker name, written without a tag (NewReferenceUnknownDigest). */
    public static DockerImageReference ofUnknownDigest(DockerReference ref) throws InvalidReferenceException {
        return create(ref, true);
    }

    private static DockerImageReference create(DockerReference ref, boolean unknownDigest)
            throws InvalidReferenceException {
        if (ref.isNameOnly() && !unknownDigest) {
            throw new InvalidReferenceException("Docker reference " + ref.familiarString()
                    + " is not for an unknown digest case; tag or digest is needed");
        }
        if (!ref.isNameOnly() && unknownDigest) {
            throw new InvalidReferenceException("Docker reference " + ref.familiarString()
                    + " is for an unknown digest case but reference has a tag or digest");
        }
        if (ref.hasTagAndDigest()) {
            throw new InvalidReferenceException("Docker references with both a tag and digest are currently not supported");
        }
        return new DockerImageReference(ref, unknownDigest);
    }

    @Override
    public DockerTransport transport() {
        return DockerTransport.INSTANCE;
    }

    /** The Docker name (with its tag or digest, unless this is an unknown-digest reference). */
    public DockerReference ref() {
        return ref;
    }

    /** Whether this names an image to push without a tag ({@code @@unknown-digest@@}). */
    public boolean isUnknownDigest() {
        return unknownDigest;
    }

    /**
     * The tag or digest string to put in a registry URL ({@code /v2/<name>/manifests/<tagOrDigest>}).
     *
     * @throws InvalidReferenceException for an unknown-digest reference, which has neither
     */
    public String tagOrDigest() throws InvalidReferenceException {
        if (ref.digest().isPresent()) {
            return ref.digest().get().toString();
        }
        if (ref.tag().isPresent()) {
            return ref.tag().get();
        }
        throw new InvalidReferenceException("Docker reference " + GoStrconv.quote(ref.familiarString())
                + " is for an unknown digest case, has neither a digest nor a tag");
    }

    @Override
    public String stringWithinTransport() {
        return "//" + ref.familiarString() + (unknownDigest ? DockerTransport.UNKNOWN_DIGEST_SUFFIX : "");
    }

    @Override
    public Optional<DockerReference> dockerReference() {
        return Optional.of(ref);
    }

    @Override
    public String policyConfigurationIdentity() {
        return unknownDigest ? ref.name() : DockerPolicyScopes.identity(ref);
    }

    @Override
    public List<String> policyConfigurationNamespaces() {
        List<String> ns = DockerPolicyScopes.namespaces(ref);
        if (unknownDigest && !ns.isEmpty() && ns.get(0).equals(ref.name())) {
            return ns.subList(1, ns.size());
        }
        return ns;
    }

    @Override
    public ImageSource newImageSource(ImageContext ctx) throws IOException {
        return DockerImageSource.open(this, ctx);
    }

    @Override
    public ImageDestination newImageDestination(ImageContext ctx) throws IOException {
        dev.kopi.config.RegistriesD registriesD = dev.kopi.config.RegistriesD.load(dev.kopi.config.Env.system(),
                ctx.registriesDir());
        return new DockerImageDestination(this, RegistryClients.forReference(ref, ctx, true),
                ctx.dockerPushPrecomputeDigests(), ctx.tmpDir(), registriesD);
    }

    /** Deletes the manifest the reference names (a tag is resolved to its digest first), as skopeo delete does. */
    @Override
    public void deleteImage(ImageContext ctx) throws IOException {
        if (ref.tag().isEmpty() && ref.digest().isEmpty()) {
            throw ImageException.invalid("Docker reference without a tag or digest cannot be deleted");
        }
        // containers/image asks for "*": docker/distribution wants "delete", quay.io "push", and both accept "*"
        dev.kopi.config.RegistriesD registriesD = dev.kopi.config.RegistriesD.load(dev.kopi.config.Env.system(),
                ctx.registriesDir());
        try (RegistryClient c = RegistryClients.forReference(ref, ctx, "*")) {
            DockerSignatures sigs = DockerSignatures.of(c, ref, registriesD, true);
            Digest deleted = c.deleteImage(tagOrDigest(), ref.toString());
            // as containers/image: the lookaside signatures of the deleted manifest go too
            sigs.deleteLookaside(deleted, 0);
        }
    }

    /**
     * Deletes only the tag this reference names ({@code delete --tag-only}, beyond skopeo): the manifest and its
     * other tags stay. See {@link TagDeleter}.
     */
    public void deleteTag(ImageContext ctx) throws IOException {
        if (ref.tag().isEmpty() || ref.digest().isPresent()) {
            throw ImageException.invalid("--tag-only needs a reference with a tag and no digest, not " + ref);
        }
        try (RegistryClient c = RegistryClients.forReference(ref, ctx, "*")) {
            TagDeleter.deleteTag(c, ref.tag().get(), ref.toString());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DockerImageReference r && r.ref.equals(ref) && r.unknownDigest == unknownDigest;
    }

    @Override
    public int hashCode() {
        return ref.hashCode() * 31 + Boolean.hashCode(unknownDigest);
    }

    @Override
    public String toString() {
        return imageName();
    }
}
