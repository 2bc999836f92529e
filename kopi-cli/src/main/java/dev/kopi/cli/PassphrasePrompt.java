package dev.kopi.cli;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import java.io.Console;

/** A passphrase for a signing key typed on the terminal, as skopeo prompts for it. */
final class PassphrasePrompt {
    private PassphrasePrompt() {
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
