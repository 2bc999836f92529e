package dev.kopi.transport.docker;

import dev.kopi.error.ImageException;
import dev.kopi.internal.http.TlsSettings;
import dev.kopi.reference.DockerReference;
import dev.kopi.transport.ImageContext;
import java.io.IOException;

/** Builds a {@link RegistryClient} for a reference from the user's settings: credentials, TLS, insecure registries. */
public final class RegistryClients {
    private RegistryClients() {
    }

    /** The user agent kopi sends, with {@code --user-agent-prefix}. */
    static String userAgent(ImageContext ctx) {
        String ua = "kopi/" + version();
        return ctx.userAgentPrefix() == null || ctx.userAgentPrefix().isEmpty() ? ua : ctx.userAgentPrefix() + " " + ua;
    }

    private static String version() {
        Package p = RegistryClients.class.getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        return v == null ? "0" : v;
    }

    public static RegistryClient forReference(DockerReference ref, ImageContext ctx, boolean push) throws IOException {
        boolean insecure = ctx.tlsVerify().map(v -> !v).orElse(false);
        TlsSettings tls = insecure ? TlsSettings.insecure() : TlsSettings.jdkDefault();
        return new RegistryClient(ref.domain(), ref.path(), push, credentials(ref, ctx), ctx.registryToken(), tls,
                insecure, userAgent(ctx));
    }

    /** {@code --creds USER[:PASS]}, else anonymous when {@code --no-creds}, else anonymous (auth files: next). */
    static RegistryClient.Auth credentials(DockerReference ref, ImageContext ctx) throws ImageException {
        if (ctx.noCredentials()) {
            if (ctx.credentials() != null) {
                throw ImageException.invalid("creds and no-creds cannot be specified at the same time");
            }
            return RegistryClient.Auth.ANONYMOUS;
        }
        if (ctx.credentials() != null) {
            String c = ctx.credentials();
            if (c.isEmpty()) {
                throw ImageException.invalid("credentials can't be empty");
            }
            int colon = c.indexOf(':');
            String user = colon < 0 ? c : c.substring(0, colon);
            String pass = colon < 0 ? "" : c.substring(colon + 1);
            if (user.isEmpty()) {
                throw ImageException.invalid("username can't be empty");
            }
            return new RegistryClient.Auth(user, pass, "");
        }
        return RegistryClient.Auth.ANONYMOUS;
    }
}
