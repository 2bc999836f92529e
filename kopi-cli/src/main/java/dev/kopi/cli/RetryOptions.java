package dev.kopi.cli;

import dev.kopi.sync.RetryPolicy;
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

    /** The flags as the core's retry policy. */
    RetryPolicy policy() {
        return new RetryPolicy(retryTimes, retryDelay);
    }

    <T> T run(Op<T> op) throws IOException {
        return policy().run(op::run);
    }

    /** Transient failures only; see {@link RetryPolicy#isRetryable}. */
    static boolean isRetryable(Throwable e) {
        return RetryPolicy.isRetryable(e);
    }
}
