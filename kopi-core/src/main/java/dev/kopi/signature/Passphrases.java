package dev.kopi.signature;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.internal.path.LocalPaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Passphrases for signing keys, read as containers/image's {@code cli.ReadPassphraseFile} does. */
public final class Passphrases {
    private Passphrases() {
    }

    /**
     * The first line of {@code path} (without its newline), as gpg reads a passphrase file; "" for a null or
     * empty path.
     */
    public static String readFile(String path) throws ImageException {
        if (path == null || path.isEmpty()) {
            return "";
        }
        Path p = Path.of(path);
        byte[] b;
        try {
            b = Files.readAllBytes(p);
        } catch (IOException e) {
            throw new ImageException(ErrorCode.INVALID_INPUT, LocalPaths.goError("open", p, e), e);
        }
        String s = new String(b, StandardCharsets.UTF_8);
        int nl = s.indexOf('\n');
        return nl >= 0 ? s.substring(0, nl) : s;
    }
}
