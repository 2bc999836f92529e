package dev.kopi.config;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.error.InvalidReferenceException;
import dev.kopi.internal.go.GoStrconv;
import dev.kopi.reference.DockerReference;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * The argument handling and texts of {@code skopeo login} / {@code skopeo logout} that sit around {@link AuthFiles}
 * (containers/common pkg/auth, with skopeo's AcceptRepositories=true): turning the argument into a credentials key,
 * checking {@code --authfile}, and the messages printed.
 */
public final class LoginKeys {
    private LoginKeys() {
    }

    /** A credentials key ({@code host[:port]}, or a namespace or repository in it) and its registry part. */
    public record Key(String key, String registry) {
    }

    /** stdout after a successful login. */
    public static final String LOGIN_SUCCEEDED = "Login Succeeded!";
    /** stdout of {@code logout --all}. */
    public static final String REMOVED_ALL = "Removed login credentials for all registries";
    /** Login refuses to overwrite an identity token. */
    public static final String IDENTITY_TOKEN_PRESENT = "currently logged in, auth file contains an Identity token";
    /** stdout when stored credentials turn out invalid during login. */
    public static final String EXISTING_INVALID =
            "Existing credentials are invalid, please enter valid username and password";

    /** stdout of a successful {@code logout KEY}. */
    public static String removed(String key) {
        return "Removed login credentials for " + key;
    }

    /** The error of {@code logout KEY} (and {@code login --get-login KEY}) when there are no credentials. */
    public static String notLoggedInto(String key) {
        return "not logged into " + key;
    }

    /** stdout of {@code logout KEY} when only valid Docker credentials exist for it. */
    public static String notLoggedInWithCurrentTool(String key) {
        return "Not logged into " + key + " with current tool. Existing credentials were established via docker "
                + "login. Please use docker logout instead.";
    }

    /** How a failed removal is reported: {@code logging out of "KEY": ...}. */
    public static String loggingOutOf(String key, String cause) {
        return "logging out of " + GoStrconv.quote(key) + ": " + cause;
    }

    /** The error when the registry rejects new credentials. */
    public static String invalidUsernamePassword(String key) {
        return "logging into " + GoStrconv.quote(key) + ": invalid username/password";
    }

    /** stdout when login re-uses stored credentials. */
    public static String authenticatingWithExisting(String key) {
        return "Authenticating with existing credentials for " + key;
    }

    /** stdout when the stored credentials still work. */
    public static String alreadyLoggedIn(String registry) {
        return "Existing credentials are valid. Already logged in to " + registry;
    }

    /**
     * containers/common parseCredentialsKey with repositories accepted: a {@code http[s]://} URL is replaced by its
     * host[:port]; a namespaced key must be a valid name-only reference.
     */
    public static Key parse(String arg, boolean acceptRepositories) throws ImageException {
        String key = arg;
        if (arg.startsWith("https://") || arg.startsWith("http://")) {
            String rest = arg.substring(arg.indexOf("://") + 3);
            int end = rest.length();
            for (char c : new char[] {'/', '?', '#'}) {
                int i = rest.indexOf(c);
                if (i >= 0 && i < end) {
                    end = i;
                }
            }
            key = rest.substring(0, end);
            int at = key.lastIndexOf('@');
            if (at >= 0) {
                key = key.substring(at + 1);
            }
        }
        int slash = key.indexOf('/');
        String registry = slash >= 0 ? key.substring(0, slash) : key;
        if (!acceptRepositories || registry.equals(key)) {
            return new Key(acceptRepositories ? key : registry, registry);
        }
        DockerReference ref;
        try {
            ref = DockerReference.parseNormalized(key);
        } catch (InvalidReferenceException e) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "parse reference from " + GoStrconv.quote(key) + ": "
                    + e.getMessage(), e);
        }
        if (!ref.isNameOnly()) {
            throw ImageException.invalid("reference " + GoStrconv.quote(ref.toString()) + " contains tag or digest");
        }
        if (!ref.domain().equals(registry)) {
            throw ImageException.invalid("internal error: key " + GoStrconv.quote(key) + " registry mismatch, "
                    + GoStrconv.quote(ref.toString()) + " vs. " + GoStrconv.quote(ref.domain()));
        }
        return new Key(key, registry);
    }

    /** containers/common CheckAuthFile: an explicit {@code --authfile} must exist for logout. */
    public static void checkAuthFile(Path authFile) throws ImageException {
        if (authFile == null || authFile.toString().isEmpty()) {
            return;
        }
        if (!Files.exists(authFile, new LinkOption[0])) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "checking authfile: stat " + authFile
                    + ": no such file or directory");
        }
    }
}
