package dev.kopi.it.registry;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Something a client can be pointed at as a registry: a {@link RegistryServer} itself, or a {@link FaultProxy} in
 * front of one. Gives the {@code docker://} references and the client flags (skopeo's, which kopi shares).
 */
public interface RegistryEndpoint {
    /** {@code 127.0.0.1:PORT}. */
    String hostPort();

    /** Whether clients talk HTTPS (with the test CA) to this endpoint. */
    boolean isTls();

    /** For TLS: a {@code --cert-dir} holding the CA as {@code ca.crt}, named {@code 127.0.0.1:PORT}. */
    Path certDir();

    /** Whether clients must authenticate (htpasswd or token). */
    boolean requiresAuth();

    /** The user clients use by default with an auth setup ({@link Credentials#ALICE}, full access). */
    default Credentials admin() {
        return Credentials.ALICE;
    }

    /** {@code docker://127.0.0.1:PORT/<repoAndTagOrDigest>}. */
    default String ref(String repoAndTagOrDigest) {
        return "docker://" + hostPort() + "/" + repoAndTagOrDigest;
    }

    /** TLS flags for commands without src/dest ({@code inspect}, {@code list-tags}, {@code delete}). */
    default List<String> tlsArgs() {
        return tlsArgs("");
    }

    /**
     * TLS flags with the given prefix ({@code ""}, {@code "src-"}, {@code "dest-"}): {@code --PREFIXtls-verify=false}
     * for plain HTTP, {@code --PREFIXcert-dir DIR} for TLS.
     */
    default List<String> tlsArgs(String prefix) {
        return isTls() ? List.of("--" + prefix + "cert-dir", certDir().toString())
                : List.of("--" + prefix + "tls-verify=false");
    }

    /** TLS flags plus {@code --PREFIXcreds USER:PASS} of {@code user} (no creds flag when {@code user} is null). */
    default List<String> args(String prefix, Credentials user) {
        List<String> out = new ArrayList<>(tlsArgs(prefix));
        if (user != null) {
            out.add("--" + prefix + "creds");
            out.add(user.creds());
        }
        return out;
    }

    /** TLS flags and, with an auth setup, the admin's {@code --creds}. */
    default List<String> args() {
        return args("", requiresAuth() ? admin() : null);
    }

    /** Like {@link #args()} with {@code --src-} flags. */
    default List<String> srcArgs() {
        return args("src-", requiresAuth() ? admin() : null);
    }

    /** Like {@link #args()} with {@code --dest-} flags. */
    default List<String> destArgs() {
        return args("dest-", requiresAuth() ? admin() : null);
    }
}
