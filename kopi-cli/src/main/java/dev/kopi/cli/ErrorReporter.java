package dev.kopi.cli;

import java.io.PrintStream;

/** The single place that turns an exception into skopeo's fatal log line and exit code. */
final class ErrorReporter {
    private ErrorReporter() {
    }

    static int report(PrintStream err, Throwable ex, boolean debug) {
        if (debug) {
            for (Throwable c = ex; c != null; c = c.getCause()) {
                Logrus.log(err, "debug", c.getClass().getName() + ": " + c.getMessage());
            }
        }
        String msg = ex.getMessage();
        if (msg == null || msg.isEmpty()) {
            msg = ex.getClass().getSimpleName();
        }
        if (Deadline.expired()) {
            msg = msg + ": context deadline exceeded";
        }
        if (ex instanceof OutOfMemoryError) {
            msg = "out of memory: " + msg;
        }
        Logrus.log(err, "fatal", msg);
        return Main.exitCode(ex);
    }
}
