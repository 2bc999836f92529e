package dev.kopi.policy;

import dev.kopi.image.UnparsedImage;
import dev.kopi.signature.Signature;
import dev.kopi.transport.ImageReference;
import java.io.IOException;
import java.util.List;

/**
 * What a policy decision looks at: the image's reference (for the scope and the identity rules), its manifest
 * (for the signed digest) and its signatures. Read lazily: {@code insecureAcceptAnything} and {@code reject}
 * read nothing.
 */
public interface PolicyImage {
    /** The image's reference. */
    ImageReference reference();

    /** The manifest bytes, verified against the reference's digest where there is one. */
    byte[] manifest() throws IOException;

    /** The signatures as stored (unverified). */
    List<Signature> signatures() throws IOException;

    /** An image being read from a source. */
    static PolicyImage of(UnparsedImage image) {
        return new PolicyImage() {
            public ImageReference reference() {
                return image.source().reference();
            }

            public byte[] manifest() throws IOException {
                return image.manifest().bytes();
            }

            public List<Signature> signatures() throws IOException {
                return image.signatures();
            }
        };
    }

    /** An image given by its parts. */
    static PolicyImage of(ImageReference ref, byte[] manifest, List<Signature> signatures) {
        byte[] m = manifest.clone();
        List<Signature> sigs = List.copyOf(signatures);
        return new PolicyImage() {
            public ImageReference reference() {
                return ref;
            }

            public byte[] manifest() {
                return m.clone();
            }

            public List<Signature> signatures() {
                return sigs;
            }
        };
    }
}
