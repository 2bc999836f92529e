package dev.kopi.transport.dir;

import dev.kopi.digest.Digest;
import dev.kopi.error.ImageException;
import dev.kopi.internal.path.LocalPaths;
import dev.kopi.reference.DockerReference;
import dev.kopi.transport.ImageContext;
import dev.kopi.transport.ImageDestination;
import dev.kopi.transport.ImageReference;
import dev.kopi.transport.ImageSource;
import dev.kopi.transport.ImageTransport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** A {@code dir:PATH} reference. */
public record DirReference(String path, Path resolvedPath) implements ImageReference {
    /** The content of the {@code version} file. */
    static final String VERSION = "Directory Transport Version: 1.1\n";

    @Override
    public ImageTransport transport() {
        return DirTransport.INSTANCE;
    }

    @Override
    public String stringWithinTransport() {
        return path;
    }

    @Override
    public Optional<DockerReference> dockerReference() {
        return Optional.empty();
    }

    @Override
    public String policyConfigurationIdentity() {
        return resolvedPath.toString();
    }

    @Override
    public List<String> policyConfigurationNamespaces() {
        return LocalPaths.pathNamespaces(resolvedPath.toString());
    }

    @Override
    public ImageSource newImageSource(ImageContext ctx) {
        return new DirImageSource(this);
    }

    @Override
    public ImageDestination newImageDestination(ImageContext ctx) throws IOException {
        return new DirImageDestination(this, ctx);
    }

    @Override
    public void deleteImage(ImageContext ctx) throws IOException {
        throw ImageException.unsupported("Deleting images not implemented for dir: images");
    }

    static Path manifestPath(Path dir, Optional<Digest> instance) {
        return dir.resolve(instance.map(d -> d.encoded() + ".manifest.json").orElse("manifest.json"));
    }

    static Path blobPath(Path dir, Digest digest) {
        return dir.resolve(digest.encoded());
    }

    static Path signaturePath(Path dir, int index, Optional<Digest> instance) {
        return dir.resolve(instance.map(d -> d.encoded() + ".").orElse("") + "signature-" + (index + 1));
    }
}
