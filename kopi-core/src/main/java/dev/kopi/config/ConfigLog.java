package dev.kopi.config;

/**
 * Where the configuration layer reports what containers/image logs with logrus: warnings (shown by default) and
 * debug lines (shown with {@code --debug}). The CLI supplies one that prints as skopeo does; {@link #NONE} drops
 * everything.
 */
public interface ConfigLog {
    /** Drops every message. */
    ConfigLog NONE = new ConfigLog() {
        @Override
        public void warn(String message) {
        }

        @Override
        public void debug(String message) {
        }
    };

    void warn(String message);

    void debug(String message);
}
