package dev.kopi.transport.ociarchive;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.internal.go.GoStrconv;
import dev.kopi.internal.io.AtomicFiles;
import dev.kopi.internal.io.BigTemp;
import dev.kopi.transport.ImageContext;
import dev.kopi.transport.Transports;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Several images written into one {@code oci-archive:} file (for {@code sync --dest oci-archive}, beyond skopeo):
 * the images go into a staging OCI layout (started from the archive's own layout when the file exists, so its
 * images stay and a name written again is replaced), and {@link #commit()} tars the layout to a temporary file
 * beside the target and renames it into place. Closing without commit leaves the target as it was.
 */
public final class OciArchiveBatch implements Closeable {
    private final String file;
    private final Path target;
    private final Path staging;

    private OciArchiveBatch(String file, Path target, Path staging) {
        this.file = file;
        this.target = target;
        this.staging = staging;
    }

    /** Opens a batch for {@code file} (as given on the command line); the file itself is not touched yet. */
    public static OciArchiveBatch open(String file, ImageContext ctx) throws IOException {
        OciArchiveReference ref = (OciArchiveReference) Transports.parseImageName("oci-archive:" + file);
        Path target = ref.resolvedFile();
        if (Files.isDirectory(target)) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "writing archive " + GoStrconv.quote(file)
                    + ": is a directory");
        }
        Path staging;
        try {
            staging = BigTemp.mkdirTemp(ctx.tmpDir(), "oci");
        } catch (ImageException e) {
            throw new ImageException(e.code(), "creating temp directory for archive " + GoStrconv.quote(file)
                    + ": " + e.getMessage(), e);
        }
        try {
            if (Files.isRegularFile(target) && Files.size(target) > 0) {
                try {
                    OciTar.extract(target, staging);
                } catch (IOException e) {
                    throw ImageException.wrap("reading existing archive " + GoStrconv.quote(file), e);
                }
            }
            return new OciArchiveBatch(file, target, staging);
        } catch (IOException | RuntimeException e) {
            AtomicFiles.deleteTreeQuietly(staging);
            throw e;
        }
    }

    /** The file as given. */
    public String file() {
        return file;
    }

    /** The staging OCI layout the images are written into ({@code oci:LAYOUT:NAME}). */
    public Path layout() {
        return staging;
    }

    /** Tars the staging layout into a temporary file beside the target and renames it over the target. */
    public void commit() throws IOException {
        try {
            OciTar.replace(staging, target);
        } catch (IOException e) {
            throw ImageException.wrap("writing archive " + GoStrconv.quote(file), e);
        }
    }

    /** Deletes the staging layout. */
    @Override
    public void close() {
        AtomicFiles.deleteTreeQuietly(staging);
    }
}
