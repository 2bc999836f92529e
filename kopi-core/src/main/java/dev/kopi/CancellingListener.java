package dev.kopi;

import dev.kopi.blob.BlobInfo;
import dev.kopi.copy.CopyListener;
import dev.kopi.digest.Digest;
import java.io.InterruptedIOException;

/**
 * Makes a copy stop when the thread that started it is interrupted, without the copy engine knowing about
 * cancellation: every progress event (the engine reports one per block of data read) first looks at the caller's
 * interrupt status, and at the status of the thread the event comes from (the engine interrupts its own layer
 * workers when it stops them). When either is set, the event fails with an {@link InterruptedIOException}: to the
 * engine this is exactly what an interruptible source stream would have thrown, so it unwinds through its normal
 * failure path (workers stopped and waited for, destination closed without commit, staging files removed).
 * Once an event has seen the caller interrupted, every later event on every thread fails too (the engine clears
 * the caller's status while it waits for its workers, and restores it afterwards).
 *
 * <p>The exception is thrown without being declared ("sneaky"): every engine method that reports progress is
 * declared to throw {@link java.io.IOException}, so the exception only travels where an IOException may.
 */
final class CancellingListener implements CopyListener {
    private final CopyListener delegate;
    private final Thread caller;
    private volatile boolean cancelled;

    CancellingListener(CopyListener delegate, Thread caller) {
        this.delegate = delegate;
        this.caller = caller;
    }

    /** Whether some event found the caller interrupted. */
    boolean cancelled() {
        return cancelled;
    }

    private void check() {
        boolean callerInterrupted = caller.isInterrupted();
        if (callerInterrupted) {
            cancelled = true;
        }
        if (callerInterrupted || cancelled || Thread.currentThread().isInterrupted()) {
            throw Sneaky.<RuntimeException>sneak(new InterruptedIOException("copy interrupted"));
        }
    }

    private static final class Sneaky {
        @SuppressWarnings("unchecked")
        static <E extends Throwable> E sneak(Throwable t) throws E {
            throw (E) t;
        }
    }

    @Override
    public void gettingListSignatures() {
        check();
        delegate.gettingListSignatures();
    }

    @Override
    public void checkingSignatureSupport(boolean list) {
        check();
        delegate.checkingSignatureSupport(list);
    }

    @Override
    public void storingListSignatures() {
        check();
        delegate.storingListSignatures();
    }

    @Override
    public void gettingSignatures() {
        check();
        delegate.gettingSignatures();
    }

    @Override
    public void copyingImages(int count, int total) {
        check();
        delegate.copyingImages(count, total);
    }

    @Override
    public void copyingImage(Digest instance, int index, int count) {
        check();
        delegate.copyingImage(instance, index, count);
    }

    @Override
    public void blobStarted(BlobInfo info, boolean isConfig) {
        check();
        delegate.blobStarted(info, isConfig);
    }

    @Override
    public void blobProgress(BlobInfo info, long bytesDone) {
        check();
        delegate.blobProgress(info, bytesDone);
        if (caller.isInterrupted()) {
            cancelled = true; // the listener itself interrupted the caller: stop all threads' next events
        }
    }

    @Override
    public void blobDone(BlobInfo info, boolean isConfig) {
        delegate.blobDone(info, isConfig);
    }

    @Override
    public void blobSkipped(BlobInfo info, boolean isConfig) {
        delegate.blobSkipped(info, isConfig);
    }

    @Override
    public void writingManifest() {
        check();
        delegate.writingManifest();
    }

    @Override
    public void writingManifestList() {
        check();
        delegate.writingManifestList();
    }

    @Override
    public void creatingSignature(String message, int index, int count) {
        check();
        delegate.creatingSignature(message, index, count);
    }

    @Override
    public void storingSignatures() {
        check();
        delegate.storingSignatures();
    }

    @Override
    public void copyingReferrer(Digest referrer, Digest subject) {
        check();
        delegate.copyingReferrer(referrer, subject);
    }

    @Override
    public void copyingDigestTag(String tag, Digest manifest) {
        check();
        delegate.copyingDigestTag(tag, manifest);
    }

    @Override
    public void copyDone(dev.kopi.copy.CopyResult result) {
        delegate.copyDone(result);
    }

    @Override
    public void copyFailed(Exception error) {
        delegate.copyFailed(error);
    }
}
