package dev.kopi.cli;

import dev.kopi.error.ImageException;

/** Renders {@code --format} Go templates. */
final class Templates {
    private Templates() {
    }

    static String render(String format, Object data) throws ImageException {
        throw ImageException.unsupported("--format templates are not available in this build yet");
    }
}
