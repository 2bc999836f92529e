package dev.kopi.cli;

import java.io.PrintStream;
import java.time.Duration;

/**
 * {@code --command-timeout}: interrupts the command when the time is up (I/O and copies stop at their next
 * interruptible point, cleaning up their temporary files), and ends the process if it does not stop soon after.
 */
final class Deadline {
    private static volatile boolean expired;

    private Deadline() {
    }

    static boolean expired() {
        return expired;
    }

    static void start(Duration timeout, PrintStream err) {
        if (timeout == null || timeout.isZero() || timeout.isNegative()) {
            return;
        }
        Thread target = Thread.currentThread();
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(timeout.toMillis());
                expired = true;
                target.interrupt();
                Thread.sleep(5000);
                Logrus.log(err, "fatal", "context deadline exceeded");
                Runtime.getRuntime().halt(1);
            } catch (InterruptedException e) {
                // command finished in time
            }
        }, "kopi-deadline");
        t.setDaemon(true);
        t.start();
    }
}
