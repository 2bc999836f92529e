package dev.kopi.transport.docker;

import dev.kopi.config.Env;
import dev.kopi.config.RegistriesD;
import dev.kopi.digest.Digest;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.log.Log;
import dev.kopi.reference.DockerPolicyScopes;
import dev.kopi.reference.DockerReference;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * A lookaside signature storage base for one repository (containers/image's signature-protocols): the configured
 * top level ({@code lookaside} / {@code lookaside-staging} / their legacy names) or the built-in default
 * ({@code file:///var/lib/containers/sigstore} for root, else {@code file://$HOME/.local/share/containers/sigstore}),
 * with {@code /<repository path>} appended. Signature N (from 1) of a manifest is at
 * {@code <base>@<algorithm>=<hex>/signature-N}.
 *
 * @param scheme the URL scheme, lower case ("" when the URL has none)
 * @param base the base URL, its path including the repository
 */
record Lookaside(String scheme, URI base) {
    static final String DEFAULT_ROOT_DIR = "/var/lib/containers/sigstore";
    static final String DEFAULT_USER_DIR = ".local/share/containers/sigstore";

    /** The base for {@code ref} (the physical reference, e.g. a mirror's), for writing when {@code write}. */
    static Lookaside forReference(RegistriesD config, DockerReference ref, Env env, boolean write)
            throws ImageException {
        String identity = DockerPolicyScopes.identity(ref);
        String top = config.lookasideTopLevel(identity, DockerPolicyScopes.namespaces(ref), write).orElse("");
        URI u;
        if (!top.isEmpty()) {
            try {
                u = new URI(top);
            } catch (URISyntaxException e) {
                throw ImageException.invalid("Invalid signature storage URL " + top + ": parse "
                        + dev.kopi.internal.go.GoStrconv.quote(top) + ": " + e.getReason(), e);
            }
        } else {
            String dir = env.uid() != 0 ? env.home().resolve(DEFAULT_USER_DIR).toString() : DEFAULT_ROOT_DIR;
            u = fileUri(dir);
            URI shown = u;
            Log.debug(() -> " No signature storage configuration found for " + identity + ", using built-in default "
                    + shown);
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        String path = (u.getPath() == null ? "" : u.getPath()) + "/" + ref.path();
        try {
            // an opaque URL (file:relative) has no path, as in Go: the repository path alone is used
            URI base = new URI(u.getScheme(), authority(u), path, u.isOpaque() ? null : u.getQuery(),
                    u.getFragment());
            return new Lookaside(scheme, base);
        } catch (URISyntaxException e) {
            throw ImageException.invalid("Invalid signature storage URL " + top + ": " + e.getReason(), e);
        }
    }

    /** The authority to rebuild {@code u} with: "" keeps {@code file:///path} in that form. */
    private static String authority(URI u) {
        if (u.getRawAuthority() != null) {
            return u.getAuthority();
        }
        return "file".equalsIgnoreCase(u.getScheme()) ? "" : null;
    }

    private static URI fileUri(String path) {
        try {
            return new URI("file", "", path, null, null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** The URL of signature {@code index} (from 0) of {@code manifestDigest}. */
    URI signatureUrl(Digest manifestDigest, int index) throws ImageException {
        String path = (base.getPath() == null ? "" : base.getPath()) + "@" + manifestDigest.algorithm().prefix() + "="
                + manifestDigest.encoded() + "/signature-" + (index + 1);
        try {
            return new URI(base.getScheme(), authority(base), path, base.getQuery(), base.getFragment());
        } catch (URISyntaxException e) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "signature URL for " + manifestDigest + ": "
                    + e.getReason(), e);
        }
    }

    /** The URL for messages, without a password (Go's URL.Redacted). */
    static String redacted(URI u) {
        String s = u.toString();
        String userInfo = u.getRawUserInfo();
        if (userInfo != null && userInfo.contains(":")) {
            s = s.replaceFirst(java.util.regex.Pattern.quote(userInfo + "@"),
                    java.util.regex.Matcher.quoteReplacement(userInfo.substring(0, userInfo.indexOf(':')) + ":xxxxx@"));
        }
        return s;
    }
}
