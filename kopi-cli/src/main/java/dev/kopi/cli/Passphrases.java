package dev.kopi.cli;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.internal.path.LocalPaths;
import dev.kopi.log.Log;
import java.io.ByteArrayOutputStream;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Passphrases for signing keys, as skopeo reads them: the first line of a file, or a prompt on the terminal. */
final class Passphrases {
    private Passphrases() {
    }

    /**
     * containers/image's {@code cli.ReadPassphraseFile}: the first line of {@code path}, without its newline ("" for
     * an empty path).
     */
    static String readFile(String path) throws ImageException {
        if (path == null || path.isEmpty()) {
            return "";
        }
        Log.debug(() -> "Reading user-specified passphrase for signing from " + path);
        Path p = Path.of(path);
        try (InputStream in = Files.newInputStream(p)) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0 && b != '\n') {
                line.write(b);
            }
            return line.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ImageException(ErrorCode.IO, LocalPaths.goError("open", p, e), e);
        }
    }

    /**
     * skopeo's promptForPassphrase: {@code Passphrase for key <file>: } on stdout, the passphrase read without echo,
     * then a newline; refused when there is no terminal.
     */
    static String prompt(String keyFile) throws ImageException {
        Console c = System.console();
        if (c == null) {
            throw ImageException.invalid("Cannot prompt for a passphrase for key " + keyFile
                    + ", standard input is not a TTY");
        }
        System.out.print("Passphrase for key " + keyFile + ": ");
        System.out.flush();
        char[] pw = c.readPassword();
        System.out.print("\n");
        System.out.flush();
        if (pw == null) {
            throw new ImageException(ErrorCode.IO, "Error reading password: EOF");
        }
        return new String(pw);
    }
}
