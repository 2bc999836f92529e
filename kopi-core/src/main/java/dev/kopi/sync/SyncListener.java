package dev.kopi.sync;

import dev.kopi.copy.CopyListener;
import java.util.Map;

/**
 * Progress of a sync. The log events are skopeo's log lines (level, message and fields, e.g. {@code Copying image
 * ref 1/3} with {@code from} and {@code to}); the command line prints them in logrus's format. With several jobs
 * the methods are called from several threads at once.
 */
public interface SyncListener {
    /** A listener that ignores everything. */
    SyncListener NONE = new SyncListener() {
    };

    /** Log levels skopeo's sync uses. */
    enum Level { DEBUG, INFO, WARNING, ERROR }

    /** A log line; {@code fields} in the order they should be printed. */
    default void log(Level level, String message, Map<String, String> fields) {
    }

    /**
     * An image is about to be copied (after its "Copying image ref" line): the listener for its copy events.
     *
     * @param image the image's source and destination names and its place in the run
     */
    default CopyListener imageStarted(SyncImage image) {
        return CopyListener.NONE;
    }

    /** An image is done: copied, skipped (already up to date) or failed. */
    default void imageFinished(SyncImage image, ImageOutcome outcome) {
    }

    /**
     * One image of the run.
     *
     * @param source the source's {@code transport:reference}
     * @param destination the destination's {@code transport:reference}
     * @param index 1-based position within its source
     * @param count images of its source
     */
    record SyncImage(String source, String destination, int index, int count) {
    }
}
