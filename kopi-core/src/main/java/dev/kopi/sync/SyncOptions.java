package dev.kopi.sync;

import dev.kopi.copy.CopyOptions;
import java.nio.file.Path;

/**
 * Options of a sync: skopeo's {@code sync} flags and kopi's additions, as a value. Start from
 * {@link #builder(String, String)}.
 *
 * @param sourceTransport {@code --src}: {@code docker}, {@code dir} or {@code yaml} (and {@code oci}, beyond skopeo)
 * @param destinationTransport {@code --dest}: {@code docker} or {@code dir} (and, beyond skopeo, {@code oci}, or
 *     {@code oci-archive} / {@code docker-archive}: every image into one archive file)
 * @param copy how each image is copied: the source context (the base for every source; a YAML entry overrides
 *     its TLS, certificate and credential settings), the destination context, {@code --format},
 *     {@code --remove-signatures}, {@code --preserve-digests}, {@code --all}, signers and the trust policy. Its
 *     listener is not used: {@link #listener} gives one per image.
 * @param scoped {@code --scoped}: destination names keep the whole source path
 * @param dryRun {@code --dry-run}: list what would be copied, copy nothing
 * @param keepGoing {@code --keep-going}: a failed image does not stop the run
 * @param appendSuffix {@code --append-suffix}: appended to every destination name ("" for none)
 * @param digestFile {@code --digestfile}: one "DIGEST DESTINATION" line per image synced; null for none
 * @param jobs images copied at once (1: one after another, as skopeo); 0 or less for {@link #defaultJobs()}
 * @param shard {@code --shard I/N}: the part of the images this run handles
 * @param skipUpToDate skip an image whose manifest digest the destination registry already has (one HEAD request)
 * @param retry {@code --retry-times} / {@code --retry-delay}, for listing the source and for each image
 * @param listener progress and log lines; null for none
 * @param includeTags only images whose tag contains a match (images named by digest are kept); null for all
 * @param excludeTags leave out images whose tag contains a match; null for none
 * @param incremental {@code --incremental} (a kopi extension): with {@code --dest dir}, an image directory that
 *     already exists is updated instead of refused (skopeo's "Refusing to overwrite destination directory"): an
 *     image whose manifest is already there is skipped, any other replaces the directory atomically
 */
public record SyncOptions(String sourceTransport, String destinationTransport, CopyOptions copy, boolean scoped,
        boolean dryRun, boolean keepGoing, String appendSuffix, Path digestFile, int jobs, Shard shard,
        boolean skipUpToDate, RetryPolicy retry, SyncListener listener, java.util.regex.Pattern includeTags,
        java.util.regex.Pattern excludeTags, boolean incremental) {
    /** Fills in defaults. */
    public SyncOptions {
        copy = copy == null ? CopyOptions.defaults() : copy;
        appendSuffix = appendSuffix == null ? "" : appendSuffix;
        jobs = jobs <= 0 ? defaultJobs() : jobs;
        shard = shard == null ? Shard.ALL : shard;
        retry = retry == null ? RetryPolicy.NONE : retry;
        listener = listener == null ? SyncListener.NONE : listener;
    }

    /** Whether an image with this tag (null: named by digest, or not a registry image) is to be synced. */
    public boolean wantsTag(String tag) {
        if (tag == null) {
            return true;
        }
        return (includeTags == null || includeTags.matcher(tag).find())
                && (excludeTags == null || !excludeTags.matcher(tag).find());
    }

    /**
     * Images copied at once by default: twice the processors (copies mostly wait for the network), at least 2 and
     * at most 8.
     */
    public static int defaultJobs() {
        return Math.max(2, Math.min(8, 2 * Runtime.getRuntime().availableProcessors()));
    }

    /** A builder with skopeo's defaults (and kopi's: parallel jobs, up-to-date images skipped). */
    public static Builder builder(String sourceTransport, String destinationTransport) {
        return new Builder(sourceTransport, destinationTransport);
    }

    /** Builds {@link SyncOptions}. */
    public static final class Builder {
        private final String src;
        private final String dest;
        private CopyOptions copy;
        private boolean scoped;
        private boolean dryRun;
        private boolean keepGoing;
        private String appendSuffix = "";
        private Path digestFile;
        private int jobs;
        private Shard shard = Shard.ALL;
        private boolean skipUpToDate = true;
        private RetryPolicy retry = RetryPolicy.NONE;
        private SyncListener listener;
        private java.util.regex.Pattern includeTags;
        private java.util.regex.Pattern excludeTags;
        private boolean incremental;

        private Builder(String src, String dest) {
            this.src = src;
            this.dest = dest;
        }

        public Builder copy(CopyOptions v) { copy = v; return this; }
        public Builder scoped(boolean v) { scoped = v; return this; }
        public Builder dryRun(boolean v) { dryRun = v; return this; }
        public Builder keepGoing(boolean v) { keepGoing = v; return this; }
        public Builder appendSuffix(String v) { appendSuffix = v; return this; }
        public Builder digestFile(Path v) { digestFile = v; return this; }
        public Builder jobs(int v) { jobs = v; return this; }
        public Builder shard(Shard v) { shard = v; return this; }
        public Builder skipUpToDate(boolean v) { skipUpToDate = v; return this; }
        public Builder retry(RetryPolicy v) { retry = v; return this; }
        public Builder listener(SyncListener v) { listener = v; return this; }
        public Builder includeTags(java.util.regex.Pattern v) { includeTags = v; return this; }
        public Builder excludeTags(java.util.regex.Pattern v) { excludeTags = v; return this; }
        public Builder incremental(boolean v) { incremental = v; return this; }

        public SyncOptions build() {
            return new SyncOptions(src, dest, copy, scoped, dryRun, keepGoing, appendSuffix, digestFile, jobs, shard,
                    skipUpToDate, retry, listener, includeTags, excludeTags, incremental);
        }
    }
}
