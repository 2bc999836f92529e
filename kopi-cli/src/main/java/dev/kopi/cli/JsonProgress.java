package dev.kopi.cli;

import dev.kopi.blob.BlobInfo;
import dev.kopi.copy.CopyListener;
import dev.kopi.copy.CopyResult;
import dev.kopi.digest.Digest;
import dev.kopi.error.ImageException;
import dev.kopi.json.GoJson;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * {@code copy --progress json}: every copy event as one JSON object per line, for CI dashboards and scripts.
 * Each object has an {@code "event"} name first:
 * <ul>
 *   <li>{@code blob-start}: {@code digest}, {@code size} (-1 when unknown), {@code mediaType}, {@code config};</li>
 *   <li>{@code blob-progress}: {@code digest}, {@code size}, {@code bytes} read so far (at most every 100 ms
 *       per blob, and when the last byte is read);</li>
 *   <li>{@code blob-done}, {@code blob-skipped} (the destination had it): {@code digest}, {@code size},
 *       {@code config}, and {@code bytes} for done;</li>
 *   <li>{@code getting-signatures}, {@code writing-manifest}, {@code writing-manifest-list},
 *       {@code storing-signatures}; {@code copying-images} ({@code count}, {@code total}) and
 *       {@code copying-image} ({@code digest}, {@code index}, {@code count}) for lists;</li>
 *   <li>{@code image-done}: {@code manifestDigest}, {@code mediaType}, {@code size} (the last line of a good
 *       copy);</li>
 *   <li>{@code error}: {@code message} (as the fatal line on stderr says it) and {@code code} (the kind of
 *       failure, e.g. {@code NOT_FOUND}); once per failed attempt.</li>
 * </ul>
 * Lines are whole and written one at a time (events come from several threads).
 */
final class JsonProgress implements CopyListener {
    static final long PROGRESS_INTERVAL_NANOS = 100_000_000L;

    private final PrintStream out;
    private final LongSupplier clock;
    private final Map<Digest, long[]> lastProgress = new HashMap<>();
    private volatile Throwable lastError;

    JsonProgress(PrintStream out) {
        this(out, System::nanoTime);
    }

    JsonProgress(PrintStream out, LongSupplier clock) {
        this.out = out;
        this.clock = clock;
    }

    /** One JSON object, built field by field in order. */
    private static final class Line {
        private final StringBuilder sb = new StringBuilder(160);

        Line(String event) {
            sb.append("{\"event\":");
            GoJson.quote(sb, event);
        }

        Line str(String name, String value) {
            sb.append(',');
            GoJson.quote(sb, name);
            sb.append(':');
            if (value == null) {
                sb.append("null");
            } else {
                GoJson.quote(sb, value);
            }
            return this;
        }

        Line num(String name, long value) {
            sb.append(',');
            GoJson.quote(sb, name);
            sb.append(':').append(value);
            return this;
        }

        Line bool(String name, boolean value) {
            sb.append(',');
            GoJson.quote(sb, name);
            sb.append(':').append(value);
            return this;
        }

        @Override
        public String toString() {
            return sb.append('}').toString();
        }
    }

    private synchronized void emit(Line line) {
        out.println(line);
        out.flush();
    }

    private static String digest(BlobInfo info) {
        return info.digest() == null ? null : info.digest().toString();
    }

    @Override
    public void gettingSignatures() {
        emit(new Line("getting-signatures"));
    }

    @Override
    public void copyingImages(int count, int total) {
        emit(new Line("copying-images").num("count", count).num("total", total));
    }

    @Override
    public void copyingImage(Digest instance, int index, int count) {
        emit(new Line("copying-image").str("digest", instance.toString()).num("index", index).num("count", count));
    }

    @Override
    public void blobStarted(BlobInfo info, boolean isConfig) {
        emit(new Line("blob-start").str("digest", digest(info)).num("size", info.size())
                .str("mediaType", info.mediaType()).bool("config", isConfig));
    }

    @Override
    public void blobProgress(BlobInfo info, long bytesDone) {
        long now = clock.getAsLong();
        synchronized (this) {
            // [0]: time of the last line, [1]: bytes in it, [2]: bytes read; keyed by digest (null: not reported)
            long[] last = info.digest() == null ? null : lastProgress.computeIfAbsent(info.digest(),
                    d -> new long[] {now - PROGRESS_INTERVAL_NANOS, -1, 0});
            if (last != null) {
                last[2] = bytesDone;
            }
            boolean complete = info.size() > 0 && bytesDone >= info.size();
            if (last != null && (complete || now - last[0] >= PROGRESS_INTERVAL_NANOS) && bytesDone != last[1]) {
                last[0] = now;
                last[1] = bytesDone;
                emit(new Line("blob-progress").str("digest", digest(info)).num("size", info.size())
                        .num("bytes", bytesDone));
            }
        }
    }

    @Override
    public void blobDone(BlobInfo info, boolean isConfig) {
        long bytes;
        synchronized (this) {
            long[] last = info.digest() == null ? null : lastProgress.remove(info.digest());
            bytes = last != null ? last[2] : info.size();
        }
        emit(new Line("blob-done").str("digest", digest(info)).num("size", info.size()).num("bytes", bytes)
                .bool("config", isConfig));
    }

    @Override
    public void blobSkipped(BlobInfo info, boolean isConfig) {
        emit(new Line("blob-skipped").str("digest", digest(info)).num("size", info.size()).bool("config", isConfig));
    }

    @Override
    public void writingManifest() {
        emit(new Line("writing-manifest"));
    }

    @Override
    public void writingManifestList() {
        emit(new Line("writing-manifest-list"));
    }

    @Override
    public void copyingReferrer(Digest referrer, Digest subject) {
        emit(new Line("copying-referrer").str("digest", referrer.toString()).str("subject", subject.toString()));
    }

    @Override
    public void copyingDigestTag(String tag, Digest manifest) {
        emit(new Line("copying-digest-tag").str("tag", tag).str("digest", manifest.toString()));
    }

    @Override
    public void creatingSignature(String message, int index, int count) {
        emit(new Line("creating-signature").str("message", message).num("index", index).num("count", count));
    }

    @Override
    public void storingSignatures() {
        emit(new Line("storing-signatures"));
    }

    @Override
    public void copyDone(CopyResult result) {
        emit(new Line("image-done").str("manifestDigest", result.manifestDigest().toString())
                .str("mediaType", result.mediaType()).num("size", result.manifest().length));
    }

    @Override
    public void copyFailed(Exception error) {
        error(error);
    }

    /** Whether {@code error} already has its line. */
    boolean reported(Throwable error) {
        return lastError == error;
    }

    /** An {@code error} line for a failure (also used for failures before the copy starts). */
    void error(Throwable error) {
        lastError = error;
        String msg = error.getMessage() == null || error.getMessage().isEmpty() ? error.getClass().getSimpleName()
                : error.getMessage();
        String code = error instanceof ImageException ie ? ie.code().name() : "IO";
        emit(new Line("error").str("message", msg).str("code", code));
    }
}
