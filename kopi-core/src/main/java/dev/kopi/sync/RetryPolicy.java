package dev.kopi.sync;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.log.Log;
import java.io.IOException;
import java.time.Duration;

/**
 * {@code --retry-times} / {@code --retry-delay}: how often an operation that failed for a transient reason is tried
 * again, as containers/common's retry package does (exponential back-off from 1 s unless a fixed delay is given).
 *
 * @param times retries after the first attempt (0: none)
 * @param delay fixed delay between attempts; null or zero for the exponential back-off
 */
public record RetryPolicy(int times, Duration delay) {
    /** No retries. */
    public static final RetryPolicy NONE = new RetryPolicy(0, null);

    /** An operation that may be retried. */
    public interface Op<T> {
        T run() throws IOException;
    }

    /** Runs {@code op}, retrying transient failures; a warning names each retry. */
    public <T> T run(Op<T> op) throws IOException {
        int attempt = 0;
        while (true) {
            try {
                return op.run();
            } catch (IOException e) {
                if (attempt >= times || !isRetryable(e)) {
                    throw e;
                }
                Duration d = delay != null && !delay.isZero() ? delay : Duration.ofSeconds(1L << Math.min(attempt, 8));
                Log.warn("Failed, retrying in " + format(d) + " ... (" + (attempt + 1) + "/" + times + "). Error: "
                        + e.getMessage());
                try {
                    Thread.sleep(d.toMillis());
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                attempt++;
            }
        }
    }

    /**
     * Transient failures only, as containers/common's retry.IsErrorRetryable: network errors, and registry answers
     * it deems transient (502-504, error codes other than unauthorized/denied/unknown name or manifest); never bad
     * input or missing images.
     */
    public static boolean isRetryable(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof dev.kopi.transport.docker.RegistryHttpException r) {
                return r.retryable();
            }
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof ImageException ie && ie.code() == ErrorCode.TOO_MANY_REQUESTS) {
                return true;
            }
            if (c instanceof ImageException ie && ie.code() != ErrorCode.IO) {
                return false;
            }
            if (c instanceof java.net.ConnectException || c instanceof java.net.SocketTimeoutException
                    || c instanceof java.net.SocketException || c instanceof java.net.http.HttpTimeoutException) {
                return true;
            }
        }
        return false;
    }

    private static String format(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
