package dev.kopi.policy;

import dev.kopi.error.InvalidReferenceException;
import dev.kopi.reference.DockerReference;
import dev.kopi.transport.ImageReference;
import java.util.Optional;

/**
 * A {@code signedIdentity} of policy.json: how the identity a signature claims must relate to the image
 * (containers/image's {@code PolicyReferenceMatch}, same semantics and same names).
 */
public sealed interface ReferenceMatch {
    /** The JSON {@code type}. */
    String type();

    /** Whether a signature claiming {@code signatureDockerReference} is accepted for the image {@code image}. */
    boolean matches(ImageReference image, String signatureDockerReference);

    /** {@code matchExact}: the image's reference and the signed one are the same, with a tag or digest. */
    record MatchExact() implements ReferenceMatch {
        public String type() {
            return "matchExact";
        }

        public boolean matches(ImageReference image, String sig) {
            Optional<DockerReference[]> p = parseImageAndSignature(image, sig);
            if (p.isEmpty()) {
                return false;
            }
            DockerReference intended = p.get()[0];
            DockerReference signed = p.get()[1];
            if (intended.isNameOnly() || signed.isNameOnly()) {
                return false;
            }
            return signed.toString().equals(intended.toString());
        }
    }

    /**
     * {@code matchRepoDigestOrExact} (the default): an image named by tag needs the exact reference; one named by
     * digest accepts any signed reference of the same repository.
     */
    record MatchRepoDigestOrExact() implements ReferenceMatch {
        public String type() {
            return "matchRepoDigestOrExact";
        }

        public boolean matches(ImageReference image, String sig) {
            return parseImageAndSignature(image, sig).map(p -> repoDigestOrExact(p[0], p[1])).orElse(false);
        }
    }

    /** {@code matchRepository}: the same repository, any tag or digest. */
    record MatchRepository() implements ReferenceMatch {
        public String type() {
            return "matchRepository";
        }

        public boolean matches(ImageReference image, String sig) {
            return parseImageAndSignature(image, sig).map(p -> p[1].name().equals(p[0].name())).orElse(false);
        }
    }

    /** {@code exactReference}: the signature must claim exactly {@code dockerReference} (with a tag or digest). */
    record ExactReference(String dockerReference) implements ReferenceMatch {
        public String type() {
            return "exactReference";
        }

        public boolean matches(ImageReference image, String sig) {
            try {
                DockerReference intended = DockerReference.parseNormalized(dockerReference);
                DockerReference signed = DockerReference.parseNormalized(sig);
                if (intended.isNameOnly() || signed.isNameOnly()) {
                    return false;
                }
                return signed.toString().equals(intended.toString());
            } catch (InvalidReferenceException e) {
                return false;
            }
        }
    }

    /** {@code exactRepository}: the signature must claim a reference in {@code dockerRepository}. */
    record ExactRepository(String dockerRepository) implements ReferenceMatch {
        public String type() {
            return "exactRepository";
        }

        public boolean matches(ImageReference image, String sig) {
            try {
                DockerReference intended = DockerReference.parseNormalized(dockerRepository);
                DockerReference signed = DockerReference.parseNormalized(sig);
                return signed.name().equals(intended.name());
            } catch (InvalidReferenceException e) {
                return false;
            }
        }
    }

    /**
     * {@code remapIdentity}: as matchRepoDigestOrExact, after replacing {@code prefix} in the image's reference
     * with {@code signedPrefix} (for mirrors).
     */
    record RemapIdentity(String prefix, String signedPrefix) implements ReferenceMatch {
        public String type() {
            return "remapIdentity";
        }

        boolean refMatchesPrefix(DockerReference ref) {
            String name = ref.name();
            if (name.length() < prefix.length()) {
                return false;
            }
            if (name.length() == prefix.length()) {
                return name.equals(prefix);
            }
            return name.startsWith(prefix) && name.charAt(prefix.length()) == '/';
        }

        Optional<DockerReference> remap(DockerReference ref) {
            if (!refMatchesPrefix(ref)) {
                return Optional.of(ref);
            }
            String s = ref.toString();
            int i = s.indexOf(prefix);
            String replaced = s.substring(0, i) + signedPrefix + s.substring(i + prefix.length());
            try {
                return Optional.of(DockerReference.parseNamed(replaced));
            } catch (InvalidReferenceException e) {
                return Optional.empty();
            }
        }

        public boolean matches(ImageReference image, String sig) {
            Optional<DockerReference[]> p = parseImageAndSignature(image, sig);
            if (p.isEmpty()) {
                return false;
            }
            return remap(p.get()[0]).map(intended -> repoDigestOrExact(intended, p.get()[1])).orElse(false);
        }
    }

    private static Optional<DockerReference[]> parseImageAndSignature(ImageReference image, String sig) {
        Optional<DockerReference> intended = image.dockerReference();
        if (intended.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new DockerReference[] {intended.get(), DockerReference.parseNormalized(sig)});
        } catch (InvalidReferenceException e) {
            return Optional.empty();
        }
    }

    private static boolean repoDigestOrExact(DockerReference intended, DockerReference signed) {
        if (signed.isNameOnly()) {
            return false;
        }
        if (intended.tag().isPresent()) {
            return signed.toString().equals(intended.toString());
        }
        if (intended.digest().isPresent()) {
            return signed.name().equals(intended.name());
        }
        return false;
    }
}
