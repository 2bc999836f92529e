package dev.kopi.it.registry;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A test user of the registry (htpasswd) or the token server. The passwords are test fixtures, not secrets.
 *
 * @param username user name
 * @param password password
 */
public record Credentials(String username, String password) {
    /** Full access: pull, push and delete on every repository, plus the catalog. */
    public static final Credentials ALICE = new Credentials("alice", "alice-Pa55w0rd");
    /** Read-only on the token server (pull on every repository); full access with htpasswd (it has no roles). */
    public static final Credentials BOB = new Credentials("bob", "bob-Pa55w0rd");
    /** alice with a wrong password. */
    public static final Credentials ALICE_WRONG = new Credentials("alice", "not-alice's-password");
    /** A user nobody knows. */
    public static final Credentials NOBODY = new Credentials("nobody", "nobody-Pa55w0rd");

    public Credentials {
        if (username.contains(":")) {
            throw new IllegalArgumentException("user names cannot contain ':': " + username);
        }
    }

    /** {@code USER:PASS}, the value of skopeo's {@code --creds} / {@code --src-creds} / {@code --dest-creds}. */
    public String creds() {
        return username + ":" + password;
    }

    /** The value of an {@code Authorization: Basic ...} header. */
    public String basicAuthorization() {
        return "Basic " + Base64.getEncoder().encodeToString(creds().getBytes(StandardCharsets.UTF_8));
    }

    /** The base64 {@code auth} field of an auth.json entry. */
    public String authJsonAuth() {
        return Base64.getEncoder().encodeToString(creds().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "Credentials[" + username + "]"; // keep passwords out of assertion messages
    }
}
