package dev.kopi.transport.oci;

import dev.kopi.error.ImageException;
import dev.kopi.error.InvalidReferenceException;
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
import java.util.regex.Pattern;

/**
 * An {@code oci:DIR[:IMAGE|:@INDEX]} reference: {@code image} is the {@code org.opencontainers.image.ref.name}
 * ("" for none), {@code sourceIndex} an index into index.json's manifests (-1 for none).
 */
public record OciReference(String dir, Path resolvedDir, String image, int sourceIndex) implements ImageReference {
    private static final String COMPONENT = "(?:[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*)";
    private static final Pattern REF = Pattern.compile("^" + COMPONENT + "(?:/" + COMPONENT + ")*$");

    /** Parses the part after {@code oci:} (or {@code oci-archive:}, named by {@code transportName} in errors). */
    public static OciReference parse(String reference, String transportName) throws InvalidReferenceException {
        int colon = reference.indexOf(':');
        String dir = colon < 0 ? reference : reference.substring(0, colon);
        String image = colon < 0 ? "" : reference.substring(colon + 1);
        int index = -1;
        if (image.startsWith("@")) {
            try {
                index = Integer.parseInt(image.substring(1));
            } catch (NumberFormatException e) {
                throw new InvalidReferenceException("Invalid source index @" + image.substring(1)
                        + ": not an integer: strconv.Atoi: parsing \"" + image.substring(1) + "\": invalid syntax");
            }
            if (index < 0) {
                throw new InvalidReferenceException("Invalid source index @" + index + ": must not be negative");
            }
            image = "";
        }
        Path resolved = LocalPaths.resolveFullyExplicit(dir);
        if (!image.isEmpty() && !REF.matcher(image).matches()) {
            throw new InvalidReferenceException("Invalid image " + image);
        }
        return new OciReference(dir, resolved, image, index);
    }

    @Override
    public ImageTransport transport() {
        return OciTransport.INSTANCE;
    }

    @Override
    public String stringWithinTransport() {
        return sourceIndex == -1 ? dir + ":" + image : dir + ":@" + sourceIndex;
    }

    @Override
    public Optional<DockerReference> dockerReference() {
        return Optional.empty();
    }

    @Override
    public String policyConfigurationIdentity() {
        return resolvedDir.toString();
    }

    @Override
    public List<String> policyConfigurationNamespaces() {
        return LocalPaths.pathNamespaces(resolvedDir.toString());
    }

    @Override
    public ImageSource newImageSource(ImageContext ctx) throws IOException {
        return new OciImageSource(this, OciLayout.at(resolvedDir, ctx.ociSharedBlobDir()));
    }

    @Override
    public ImageDestination newImageDestination(ImageContext ctx) throws IOException {
        if (sourceIndex != -1) {
            throw ImageException.invalid("Destination reference must not contain a manifest index @" + sourceIndex);
        }
        return new OciImageDestination(this, OciLayout.at(resolvedDir, ctx.ociSharedBlobDir()), ctx);
    }

    @Override
    public void deleteImage(ImageContext ctx) throws IOException {
        OciLayout.at(resolvedDir, ctx.ociSharedBlobDir()).deleteImage(this);
    }

    /** This reference rooted in another directory (oci-archive extracts to a temp dir). */
    public OciReference inDirectory(Path other) {
        return new OciReference(other.toString(), other, image, sourceIndex);
    }
}
