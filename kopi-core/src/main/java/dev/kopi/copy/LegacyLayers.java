package dev.kopi.copy;

import dev.kopi.blob.BlobInfo;
import dev.kopi.blob.BlobStream;
import dev.kopi.digest.Digest;
import dev.kopi.digest.VerifyingInputStream;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.image.ImageInspector;
import dev.kopi.image.RawManifest;
import dev.kopi.image.UnparsedImage;
import dev.kopi.manifest.Descriptor;
import dev.kopi.transport.ImageContext;
import dev.kopi.transport.ImageDestination;
import dev.kopi.transport.ImageReference;
import dev.kopi.transport.ImageSource;
import dev.kopi.transport.dir.DirTransport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * skopeo's hidden, deprecated {@code layers IMAGE [LAYER...]}: the image's blobs (all layers, each once, then the
 * config; or only the named ones) and its top-level manifest, written as a {@code dir:} image into a new directory
 * {@code layers-*} (mode 0700, as Go's {@code os.MkdirTemp} makes it) in a given parent. Every blob is verified
 * against its digest.
 */
public final class LegacyLayers {
    /** The note skopeo prints to stderr before anything else. */
    public static final String DEPRECATION_NOTE = "DEPRECATED: skopeo layers is deprecated in favor of skopeo copy";

    private LegacyLayers() {
    }

    /**
     * Downloads the blobs, in skopeo's order: the image is opened and its manifest parsed (a list resolves to the
     * instance for the platform, but the list itself is the manifest written), then the named digests are parsed
     * (a bare hex string gets {@code sha256:}), then the directory is made and filled.
     *
     * @param blobs the digests to download; empty for every layer and the config
     * @param parent where the {@code layers-*} directory is made (skopeo: the working directory)
     * @return the directory written
     */
    public static Path download(ImageReference image, ImageContext context, List<String> blobs, Path parent)
            throws IOException {
        try (ImageSource src = image.newImageSource(context)) {
            UnparsedImage top = new UnparsedImage(src, Optional.empty());
            ImageInspector.ResolvedImage resolved = ImageInspector.resolve(top, context);
            List<Digest> wanted = new ArrayList<>();
            for (String s : blobs) {
                wanted.add(Digest.parse(s.startsWith("sha256:") ? s : "sha256:" + s));
            }
            if (wanted.isEmpty()) {
                Set<Digest> seen = new LinkedHashSet<>();
                for (Descriptor d : resolved.parsed().layers()) {
                    seen.add(d.digest());
                }
                wanted.addAll(seen);
                if (resolved.parsed().config() != null) {
                    wanted.add(resolved.parsed().config().digest());
                }
            }
            Path dir;
            try {
                dir = Files.createTempDirectory(parent, "layers-",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (IOException e) {
                throw new ImageException(ErrorCode.IO, "mkdir " + parent.resolve("layers-*") + ": " + e.getMessage(),
                        e);
            }
            ImageReference dirRef = DirTransport.INSTANCE.parseReference(dir.toString());
            try (ImageDestination dest = dirRef.newImageDestination(ImageContext.defaults())) {
                for (Digest d : wanted) {
                    try (BlobStream bs = src.openBlob(new BlobInfo(d, -1, null));
                         VerifyingInputStream in = new VerifyingInputStream(bs.stream(), d, -1)) {
                        dest.putBlob(in, new BlobInfo(d, bs.size(), null), ImageDestination.PutBlobOptions.layer(0));
                        in.drain();
                    }
                }
                RawManifest m = top.manifest();
                dest.putManifest(m.bytes(), m.mediaType(), Optional.empty());
                dest.commit();
            }
            // the dir: destination swapped a fresh directory in; keep skopeo's private mode
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            return dir;
        }
    }
}
