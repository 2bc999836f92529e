package dev.kopi.image;

import dev.kopi.digest.Digest;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.manifest.Manifests;
import dev.kopi.signature.Signature;
import dev.kopi.transport.ImageSource;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * The only way to read a manifest: fetches it from a source once, checks it against the expected digest (the
 * list instance digest, or the digest in the reference), and caches it.
 */
public final class UnparsedImage {
    private final ImageSource source;
    private final Optional<Digest> instance;
    private RawManifest manifest;
    private List<Signature> signatures;

    /** The image (or the list instance {@code instance}) of {@code source}; nothing is read yet. */
    public UnparsedImage(ImageSource source, Optional<Digest> instance) {
        this.source = source;
        this.instance = instance;
    }

    /** The source the manifest is read from. */
    public ImageSource source() {
        return source;
    }

    /** The list instance this is, or empty for the top-level manifest. */
    public Optional<Digest> instanceDigest() {
        return instance;
    }

    /** The verified manifest; its MIME type is the transport's or, when it gave none, guessed from content. */
    public RawManifest manifest() throws IOException {
        if (manifest == null) {
            RawManifest untrusted = source.fetchManifest(instance);
            byte[] bytes = untrusted.bytes();
            Optional<Digest> expected = instance.isPresent() ? instance
                    : source.reference().dockerReference().flatMap(r -> r.digest());
            if (expected.isPresent() && !Manifests.matchesDigest(bytes, expected.get())) {
                throw new ImageException(ErrorCode.DIGEST_MISMATCH,
                        "Manifest does not match provided manifest digest " + expected.get());
            }
            manifest = new RawManifest(bytes, Manifests.effectiveMimeType(bytes, untrusted.mediaType()));
        }
        return manifest;
    }

    /** The image's signatures, read once. */
    public List<Signature> signatures() throws IOException {
        if (signatures == null) {
            signatures = List.copyOf(source.fetchSignatures(instance));
        }
        return signatures;
    }
}
