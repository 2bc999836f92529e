package dev.kopi.signature.simple;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The user's GnuPG, run as the {@code gpg} program on PATH: containers/image signs through gpgme, which drives the
 * same program and agent, so keys come from {@code $GNUPGHOME} (else {@code ~/.gnupg}) and a passphrase is asked
 * by the agent's pinentry unless one is given (then loopback pinentry is used, as gpgme's passphrase callback).
 */
public final class Gpg {
    private static final long TIMEOUT_SECONDS = 120;

    private Gpg() {
    }

    /** Output of one gpg run. */
    private record Run(int exitCode, byte[] stdout, String stderr) {
    }

    static String executable() throws ImageException {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                if (dir.isEmpty()) {
                    continue;
                }
                Path p = Path.of(dir, "gpg");
                if (Files.isExecutable(p) && !Files.isDirectory(p)) {
                    return p.toString();
                }
            }
        }
        throw new ImageException(ErrorCode.IO, "initializing GPG: exec: \"gpg\": executable file not found in $PATH");
    }

    private static Run run(List<String> args, byte[] stdin) throws ImageException {
        List<String> cmd = new ArrayList<>();
        cmd.add(executable());
        cmd.add("--batch");
        cmd.add("--no-tty");
        cmd.addAll(args);
        Process p;
        try {
            p = new ProcessBuilder(cmd).start();
        } catch (IOException e) {
            throw new ImageException(ErrorCode.IO, "initializing GPG: " + e.getMessage(), e);
        }
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readQuietly(p.getInputStream()));
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readQuietly(p.getErrorStream()));
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin);
            }
        } catch (IOException e) {
            // gpg may exit without reading; its exit code tells
        }
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new ImageException(ErrorCode.IO, "gpg did not finish in " + TIMEOUT_SECONDS + " seconds");
            }
            return new Run(p.exitValue(), out.join(), new String(err.join(), StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new ImageException(ErrorCode.CANCELLED, "interrupted while running gpg");
        }
    }

    private static byte[] readQuietly(java.io.InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    /** gpg's last diagnostic line, without its {@code gpg: } prefix. */
    private static String lastError(String stderr) {
        String last = "";
        for (String line : stderr.split("\n")) {
            if (!line.isBlank()) {
                last = line.strip();
            }
        }
        return last.startsWith("gpg: ") ? last.substring(5) : last;
    }

    /** Fails as gpgme does ({@code key "X" not found}) when there is no secret key {@code keyIdentity}. */
    static void requireSecretKey(String keyIdentity) throws ImageException {
        Run r = run(List.of("--with-colons", "--list-secret-keys", "--", keyIdentity), null);
        if (r.exitCode != 0 || !new String(r.stdout, StandardCharsets.UTF_8).contains("sec:")) {
            throw ImageException.invalid("key " + dev.kopi.internal.go.GoStrconv.quote(keyIdentity) + " not found");
        }
    }

    /**
     * Makes an OpenPGP signed message (binary, compressed as gpg does by default) of {@code payload} with the
     * secret key {@code keyIdentity}; {@code passphrase} null or empty lets the agent ask.
     */
    public static byte[] sign(byte[] payload, String keyIdentity, String passphrase) throws ImageException {
        if (passphrase != null && passphrase.contains("\n")) {
            throw ImageException.invalid("invalid passphrase: must not contain a line break");
        }
        requireSecretKey(keyIdentity);
        Path tmp = null;
        try {
            tmp = Files.createTempFile("kopi-sign", ".json");
            Files.write(tmp, payload);
            List<String> args = new ArrayList<>();
            byte[] stdin = null;
            if (passphrase != null && !passphrase.isEmpty()) {
                args.addAll(List.of("--pinentry-mode", "loopback", "--passphrase-fd", "0"));
                stdin = (passphrase + "\n").getBytes(StandardCharsets.UTF_8);
            }
            args.addAll(List.of("--local-user", keyIdentity, "--sign", "--output", "-", "--", tmp.toString()));
            Run r = run(args, stdin);
            if (r.exitCode != 0 || r.stdout.length == 0) {
                throw ImageException.invalid(lastError(r.stderr));
            }
            return r.stdout;
        } catch (IOException e) {
            if (e instanceof ImageException ie) {
                throw ie;
            }
            throw new ImageException(ErrorCode.IO, "writing the signature payload: " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    // a temp file
                }
            }
        }
    }

    /** The public keys of the user's keyring ({@code gpg --export}), for verification with local keys. */
    public static OpenPgp.Keyring localKeyring() throws ImageException {
        Run r = run(List.of("--export"), null);
        if (r.exitCode != 0) {
            throw new ImageException(ErrorCode.IO, "initializing GPG: " + lastError(r.stderr));
        }
        return OpenPgp.importKeys(r.stdout);
    }
}
