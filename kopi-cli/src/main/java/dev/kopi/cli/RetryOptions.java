package dev.kopi.cli;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import java.io.IOException;
import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code --retry-times} / {@code --retry-delay}: retries of operations that failed for a transient reason. */
final class RetryOptions {
    @Option(names = "--retry-times", paramLabel = "int", description = "the number of times to possibly retry")
    int retryTimes;
    @Option(names = "--retry-delay", paramLabel = "duration", converter = GoDuration.class, description = "Fixed delay between retries. If not set, retry uses an exponential backoff delay.")
    Duration retryDelay;

    /** An operation that may be retried. */
    interface Op<T> {
        T run() throws IOException;
    }

    <T> T run(Op<T> op) throws IOException {
        int attempt = 0;
        while (true) {
            try {
                return op.run();
            } catch (IOException e) {
                if (attempt >= retryTimes || !isRetryable(e)) {
                    throw e;
                }
                Duration delay = retryDelay != null && !retryDelay.isZero() ? retryDelay
                        : Duration.ofSeconds(1L << Math.min(attempt, 8));
                dev.kopi.log.Log.warn("Failed, retrying in " + formatDelay(delay) + " ... (" + (attempt + 1) + "/"
                        + retryTimes + "). Error: " + e.getMessage());
                try {
                    Thread.sleep(delay.toMillis());
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
    static boolean isRetryable(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof dev.kopi.transport.docker.RegistryHttpException r) {
                return r.retryable();
            }
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof ImageException ie && ie.code() != ErrorCode.IO && ie.code() != ErrorCode.TOO_MANY_REQUESTS) {
                return false;
            }
            if (c instanceof ImageException ie && ie.code() == ErrorCode.TOO_MANY_REQUESTS) {
                return true;
            }
            if (c instanceof java.net.ConnectException || c instanceof java.net.SocketTimeoutException
                    || c instanceof java.net.SocketException || c instanceof java.net.http.HttpTimeoutException) {
                return true;
            }
        }
        return false;
    }

    private static String formatDelay(Duration d) {
        long s = d.toSeconds();
        return d.toMillis() % 1000 == 0 ? s + "s" : d.toMillis() + "ms";
    }
}
