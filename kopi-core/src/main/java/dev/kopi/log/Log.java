package dev.kopi.log;

import java.util.function.Supplier;

/**
 * kopi's debug log: silent unless a sink is installed (the CLI installs one for {@code --debug}, printing logrus
 * lines on stderr; library users may install their own). Messages are built lazily, so a disabled log costs
 * nothing. Callers must never pass secrets: redact first (see {@link #redact}).
 */
public final class Log {
    /** Receives debug and warning messages. */
    @FunctionalInterface
    public interface Sink {
        void log(Level level, String message);
    }

    /** Message levels, as logrus names them. */
    public enum Level { DEBUG, INFO, WARNING }

    private static volatile Sink sink;
    private static volatile boolean debug;

    private Log() {
    }

    /** Installs the sink; {@code debugEnabled} says whether debug messages are wanted. */
    public static void install(Sink s, boolean debugEnabled) {
        sink = s;
        debug = debugEnabled;
    }

    public static boolean debugEnabled() {
        return debug && sink != null;
    }

    public static void debug(Supplier<String> message) {
        Sink s = sink;
        if (debug && s != null) {
            s.log(Level.DEBUG, message.get());
        }
    }

    public static void warn(String message) {
        Sink s = sink;
        if (s != null) {
            s.log(Level.WARNING, message);
        }
    }

    /** Replaces the values of secret-bearing query parameters and any user:password in a URL. */
    public static String redact(String url) {
        String u = url.replaceAll("(?i)(://)[^/@\\s]+@", "$1redacted@");
        return u.replaceAll("(?i)([?&](?:password|token|access_token|refresh_token|client_secret)=)[^&\\s]*",
                "$1redacted");
    }
}
