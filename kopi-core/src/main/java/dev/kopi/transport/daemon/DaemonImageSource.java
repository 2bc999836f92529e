package dev.kopi.transport.daemon;

import dev.kopi.error.ImageException;
import dev.kopi.transport.ImageContext;
import dev.kopi.transport.tarball.ArchiveReader;
import dev.kopi.transport.tarball.TarballSource;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads an image from a Docker engine (containers/image {@code docker/daemon/daemon_src.go}):
 * {@code GET /images/get?names=REF} streams {@code docker save} output, which is copied into a temporary file under
 * the context's tmp dir ({@code docker save} writes {@code manifest.json} last, and the paths it names must be read
 * in another order), then read as a docker-save archive. The temporary file is deleted when the source is closed.
 */
public final class DaemonImageSource extends TarballSource {
    private DaemonImageSource(DaemonImageReference reference, ArchiveReader archive) {
        super(reference, archive, true, null, -1);
    }

    /** Fetches the image named by {@code reference} (its ID, {@code name:tag} or {@code name@digest}). */
    static DaemonImageSource open(DaemonImageReference reference, ImageContext ctx) throws IOException {
        EngineClient client;
        try {
            client = EngineClient.create(ctx);
        } catch (ImageException e) {
            throw ImageException.wrap("initializing docker engine client", e);
        }
        try (client) {
            InputStream saved;
            try {
                saved = client.imageSave(reference.stringWithinTransport());
            } catch (IOException e) {
                throw ImageException.wrap("loading image from docker engine", e);
            }
            try (saved) {
                return new DaemonImageSource(reference, ArchiveReader.fromStream(saved, ctx.tmpDir()));
            }
        }
    }
}
