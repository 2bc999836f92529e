package dev.kopi.transport.daemon;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.manifest.MediaTypes;
import dev.kopi.reference.DockerReference;
import dev.kopi.transport.DestinationCapabilities;
import dev.kopi.transport.ImageContext;
import dev.kopi.transport.tarball.ArchiveWriter;
import dev.kopi.transport.tarball.TarballDestination;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Writes an image into a Docker engine (containers/image {@code docker/daemon/daemon_dest.go}): opening the
 * destination starts {@code POST /images/load} on a thread of its own, whose chunked request body is a
 * {@link LoadPipe} fed by the docker-save stream the {@link ArchiveWriter} produces while the copy runs, so the
 * archive is never stored (blobs of unknown size excepted: {@link TarballDestination} spools those, the tar header
 * needing the size). Commit ends the stream and waits for the daemon's verdict; closing without commit abandons
 * the upload mid-stream, so the daemon loads nothing. Layers are passed on as they come (the daemon decompresses
 * them itself).
 */
public final class DaemonImageDestination extends TarballDestination {
    /** How long close() waits for the load thread after abandoning the upload. */
    private static final long ABORT_WAIT_MILLIS = 5_000;

    private final DestinationCapabilities capabilities;

    private DaemonImageDestination(DaemonImageReference reference, ArchiveWriter archive, DockerReference tag,
            ImageContext ctx, Hook onCommit, Hook onClose, boolean mustMatchRuntimeOs) {
        super(reference, archive, List.of(tag), ctx.tmpDir(), onCommit, onClose);
        this.capabilities = new DestinationCapabilities(List.of(MediaTypes.DOCKER_V2S2),
                DestinationCapabilities.LayerCompression.PRESERVE, false, mustMatchRuntimeOs, false, false, false);
    }

    /**
     * Opens the destination: checks that the reference is a {@code name:tag}, sets up the client and starts the
     * load request.
     */
    static DaemonImageDestination open(DaemonImageReference reference, ImageContext ctx) throws IOException {
        DockerReference named = reference.dockerReference().orElse(null);
        if (named == null || named.tag().isEmpty() || named.digest().isPresent()) {
            throw new ImageException(ErrorCode.INVALID_REFERENCE, "Invalid destination docker-daemon:"
                    + reference.stringWithinTransport() + ": a destination must be a name:tag");
        }
        boolean mustMatchRuntimeOs = mustMatchRuntimeOs(ctx.daemonHost());
        EngineClient client;
        try {
            client = EngineClient.create(ctx);
        } catch (ImageException e) {
            throw ImageException.wrap("initializing docker engine client", e);
        }
        LoadPipe pipe = new LoadPipe();
        CompletableFuture<IOException> status = new CompletableFuture<>();
        Thread loader = new Thread(() -> runLoad(client, pipe, status), "kopi-docker-load");
        loader.setDaemon(true);
        loader.start();

        ArchiveWriter archive = new ArchiveWriter(pipe.sink());
        boolean[] committed = {false};
        Hook onCommit = () -> {
            if (committed[0]) {
                return;
            }
            archive.close();
            pipe.sink().close();
            committed[0] = true; // we may still fail, but nothing more is sent
            IOException err = await(status);
            if (err != null) {
                throw err;
            }
        };
        Hook onClose = () -> {
            if (!committed[0]) {
                committed[0] = true;
                pipe.abortWriter(new IOException(
                        "Aborting upload, daemonImageDestination closed without a previous .CommitWithOptions()"));
                try {
                    status.get(ABORT_WAIT_MILLIS, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (ExecutionException | TimeoutException e) {
                    // the daemon thread is left to finish on its own; the upload was abandoned either way
                }
            }
        };
        return new DaemonImageDestination(reference, archive, named, ctx, onCommit, onClose, mustMatchRuntimeOs);
    }

    /**
     * As containers/image decides it: only an explicitly given default socket is taken for "the engine of this
     * machine", whose images must match the runtime OS.
     */
    static boolean mustMatchRuntimeOs(String daemonHostFlag) {
        return DaemonHost.DEFAULT.equals(daemonHostFlag);
    }

    /** The load thread: sends the stream, reads the verdict, and closes the pipe's reader with it. */
    private static void runLoad(EngineClient client, LoadPipe pipe, CompletableFuture<IOException> status) {
        IOException err = new ImageException(ErrorCode.IO, "Internal error: unexpected failure in the load thread");
        try {
            client.imageLoad(pipe.source());
            err = null;
        } catch (ImageException e) {
            err = e;
        } catch (IOException e) {
            err = ImageException.wrap("starting a load operation in docker engine", e);
        } catch (RuntimeException | Error e) {
            err = new ImageException(ErrorCode.IO, "Internal error: " + e, e);
        } finally {
            pipe.closeReader(err);
            client.close();
            status.complete(err);
        }
    }

    private static IOException await(CompletableFuture<IOException> status) throws IOException {
        try {
            return status.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for the docker engine");
        } catch (ExecutionException e) {
            throw new ImageException(ErrorCode.IO, "Internal error: " + e.getCause(), e.getCause());
        }
    }

    @Override
    public DestinationCapabilities capabilities() {
        return capabilities;
    }
}
