package dev.kopi.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * A throwaway GnuPG home in a {@link Sandbox}: {@code $HOME/.gnupg}, which both kopi and skopeo (gpgme) use.
 * Keys are made with {@code gpg --quick-gen-key}; {@link #close} stops the gpg-agent the home started.
 */
final class Gpg implements AutoCloseable {
    private final Sandbox sb;
    private final Path home;

    Gpg(Sandbox sb) {
        this.sb = sb;
        this.home = sb.home().resolve(".gnupg");
        try {
            Files.createDirectories(home, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    CommandResult gpg(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Tools.gpg().toString());
        cmd.add("--batch");
        cmd.addAll(List.of(args));
        return sb.run(cmd, Sandbox.TIMEOUT);
    }

    /** Makes a signing key for {@code uid} (passphrase "" for none) and returns its fingerprint. */
    String generateKey(String uid, String passphrase) {
        gpg("--pinentry-mode", "loopback", "--passphrase", passphrase, "--quick-gen-key", uid, "default", "default",
                "never").assertSuccess();
        String colons = gpg("--with-colons", "--list-keys", uid).assertSuccess().stdout();
        for (String line : colons.split("\n")) {
            if (line.startsWith("fpr:")) {
                return line.split(":")[9];
            }
        }
        throw new AssertionError("no fingerprint for " + uid + ": " + colons);
    }

    /** Exports public keys ({@code --armor} when asked) to a file. */
    Path export(String name, boolean armor, String... keys) {
        List<String> args = new ArrayList<>();
        if (armor) {
            args.add("--armor");
        }
        args.add("--export");
        args.addAll(List.of(keys));
        CommandResult r = gpg(args.toArray(String[]::new)).assertSuccess();
        assertThat(r.stdoutBytes()).isNotEmpty();
        Path p = sb.path(name);
        try {
            Files.write(p, r.stdoutBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /** Deletes a public and secret key from the keyring (to sign with a key then forget it). */
    void delete(String fingerprint) {
        gpg("--yes", "--delete-secret-and-public-key", fingerprint).assertSuccess();
    }

    @Override
    public void close() {
        List<String> cmd = List.of(Tools.require("gpgconf", "gnupg").toString(), "--kill", "gpg-agent");
        sb.run(cmd, Sandbox.TIMEOUT);
    }
}
