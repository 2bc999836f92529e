package dev.kopi.cli;

/** A command-line usage error: message printed as a fatal log line, with the command's help when asked. */
final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final boolean showUsage;

    CliException(String message, boolean showUsage) {
        super(message);
        this.showUsage = showUsage;
    }

    boolean showUsage() {
        return showUsage;
    }
}
