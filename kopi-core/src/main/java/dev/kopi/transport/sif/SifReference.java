package dev.kopi.transport.sif;

import dev.kopi.error.ImageException;
import dev.kopi.reference.DockerReference;
import dev.kopi.transport.ImageContext;
import dev.kopi.transport.ImageDestination;
import dev.kopi.transport.ImageReference;
import dev.kopi.transport.ImageSource;
import dev.kopi.transport.ImageTransport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A {@code sif:PATH} reference.
 *
 * @param file the path as the user wrote it (used to open the file)
 * @param resolvedFile the absolute, symlink-free path (the policy identity)
 */
public record SifReference(String file, Path resolvedFile) implements ImageReference {
    /** The error for {@code sif:} as a destination, as containers/image words it. */
    public static final String READ_ONLY = "\"sif:\" locations can only be read from, not written to";

    @Override
    public ImageTransport transport() {
        return SifTransport.INSTANCE;
    }

    @Override
    public String stringWithinTransport() {
        return file;
    }

    @Override
    public Optional<DockerReference> dockerReference() {
        return Optional.empty();
    }

    @Override
    public String policyConfigurationIdentity() {
        return resolvedFile.toString();
    }

    /** The parent directories of the resolved path, nearest first, without "/" (as containers/image). */
    @Override
    public List<String> policyConfigurationNamespaces() {
        List<String> res = new ArrayList<>();
        String path = resolvedFile.toString();
        while (true) {
            int lastSlash = path.lastIndexOf('/');
            if (lastSlash <= 0) {
                break;
            }
            path = path.substring(0, lastSlash);
            res.add(path);
        }
        return res;
    }

    /**
     * Converts the SIF file into a temporary one-layer image under {@code ctx.tmpDir()} (removed when the source
     * is closed). This runs {@code fakeroot}, {@code unsquashfs} and {@code tar}.
     */
    @Override
    public ImageSource newImageSource(ImageContext ctx) throws IOException {
        return SifImageSource.open(this, ctx);
    }

    @Override
    public ImageDestination newImageDestination(ImageContext ctx) throws IOException {
        throw ImageException.unsupported(READ_ONLY);
    }

    @Override
    public void deleteImage(ImageContext ctx) throws IOException {
        throw ImageException.unsupported("Deleting images not implemented for sif: images");
    }
}
