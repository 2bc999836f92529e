package dev.kopi.config;

import java.util.Objects;

/**
 * Registry credentials: a user name and password, or an identity token (an OAuth2 refresh token, stored by
 * {@code docker login} for some registries). Empty strings mean "not set"; {@link #NONE} is anonymous access.
 * {@link #toString()} never shows the password or the token.
 */
public record Credentials(String username, String password, String identityToken) {
    /** No credentials: access the registry anonymously. */
    public static final Credentials NONE = new Credentials("", "", "");

    public Credentials {
        username = Objects.requireNonNullElse(username, "");
        password = Objects.requireNonNullElse(password, "");
        identityToken = Objects.requireNonNullElse(identityToken, "");
    }

    /** User name and password. */
    public static Credentials basic(String username, String password) {
        return new Credentials(username, password, "");
    }

    /** An identity token only (what a credential helper returns for the user name {@code <token>}). */
    public static Credentials token(String identityToken) {
        return new Credentials("", "", identityToken);
    }

    /** True when nothing is set (containers/image's {@code creds == types.DockerAuthConfig{}}). */
    public boolean isEmpty() {
        return username.isEmpty() && password.isEmpty() && identityToken.isEmpty();
    }

    @Override
    public String toString() {
        return "Credentials[username=" + username + ", password=" + (password.isEmpty() ? "" : "<redacted>")
                + ", identityToken=" + (identityToken.isEmpty() ? "" : "<redacted>") + "]";
    }
}
