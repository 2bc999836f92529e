package dev.kopi.transport.ociarchive;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.internal.io.AtomicFiles;
import dev.kopi.internal.io.BigTemp;
import dev.kopi.internal.path.LocalPaths;
import dev.kopi.reference.DockerReference;
import dev.kopi.transport.ImageContext;
import dev.kopi.transport.ImageDestination;
import dev.kopi.transport.ImageReference;
import dev.kopi.transport.ImageSource;
import dev.kopi.transport.ImageTransport;
import dev.kopi.transport.oci.OciImageSource;
import dev.kopi.transport.oci.OciLayout;
import dev.kopi.transport.oci.OciReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** An {@code oci-archive:FILE[:IMAGE]} reference. */
public record OciArchiveReference(String file, Path resolvedFile, String image, OciReference layoutRef)
        implements ImageReference {

    @Override
    public ImageTransport transport() {
        return OciArchiveTransport.INSTANCE;
    }

    @Override
    public String stringWithinTransport() {
        return file + ":" + image;
    }

    @Override
    public Optional<DockerReference> dockerReference() {
        return Optional.empty();
    }

    @Override
    public String policyConfigurationIdentity() {
        return resolvedFile.toString();
    }

    @Override
    public List<String> policyConfigurationNamespaces() {
        return LocalPaths.pathNamespaces(resolvedFile.toString());
    }

    @Override
    public ImageSource newImageSource(ImageContext ctx) throws IOException {
        if (!Files.exists(resolvedFile)) {
            throw new ImageException(ErrorCode.IO, "creating temp directory: archive file not found: \""
                    + resolvedFile + "\"");
        }
        Path tmp;
        try {
            tmp = BigTemp.mkdirTemp(ctx.tmpDir(), "oci");
        } catch (ImageException e) {
            throw new ImageException(e.code(), "creating temp directory: creating oci reference: "
                    + "creating temp directory: " + e.getMessage(), e);
        }
        boolean ok = false;
        try {
            OciTar.extract(resolvedFile, tmp);
            OciReference inTmp = layoutRef.inDirectory(tmp);
            OciImageSource src;
            try {
                src = new OciImageSource(this, inTmp, OciLayout.at(tmp, null));
            } catch (ImageException e) {
                if (e.code() == ErrorCode.NOT_FOUND) {
                    throw ImageException.notFound("no descriptor found for reference \"" + image + "\"", e);
                }
                throw e;
            }
            ok = true;
            return new TempDirSource(src, tmp);
        } finally {
            if (!ok) {
                AtomicFiles.deleteTreeQuietly(tmp);
            }
        }
    }

    @Override
    public ImageDestination newImageDestination(ImageContext ctx) throws IOException {
        return new OciArchiveImageDestination(this, ctx);
    }

    @Override
    public void deleteImage(ImageContext ctx) throws IOException {
        throw ImageException.unsupported("Deleting images not implemented for oci: images");
    }
}
