package dev.kopi.transport.docker;

import dev.kopi.config.AuthFiles;
import dev.kopi.config.Credentials;
import dev.kopi.config.Env;
import dev.kopi.config.RegistriesConf;
import dev.kopi.config.TlsConfigs;
import dev.kopi.error.ImageException;
import dev.kopi.internal.http.TlsSettings;
import dev.kopi.reference.DockerReference;
import dev.kopi.transport.ImageContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

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

    /** A client for pushing to, deleting from or listing {@code ref}'s repository (no mirrors). */
    public static RegistryClient forReference(DockerReference ref, ImageContext ctx, boolean push) throws IOException {
        return forReference(ref, ctx, push ? "pull,push" : "pull");
    }

    /**
     * A client for {@code ref}'s repository asking for token scope {@code actions} ({@code pull}, {@code pull,push},
     * or {@code *} for deleting, as containers/image asks).
     */
    public static RegistryClient forReference(DockerReference ref, ImageContext ctx, String actions)
            throws IOException {
        Env env = Env.system();
        RegistriesConf conf = RegistriesConf.load(env, ctx.registriesConf());
        conf.checkNotBlocked(ref.name());
        return client(env, conf, ref, conf.isInsecure(ref.name()), ctx, actions);
    }

    /**
     * The clients to try for reading {@code ref}, in order: registries.conf mirrors (as their pull-from-mirror
     * settings allow), then the primary location.
     */
    public static List<PullClient> pullSources(DockerReference ref, ImageContext ctx) throws IOException {
        Env env = Env.system();
        RegistriesConf conf = RegistriesConf.load(env, ctx.registriesConf());
        conf.checkNotBlocked(ref.name());
        List<PullClient> out = new ArrayList<>();
        for (RegistriesConf.PullSource p : conf.pullSources(ref)) {
            out.add(new PullClient(client(env, conf, p.reference(), p.endpoint().insecure(), ctx, "pull"),
                    p.reference()));
        }
        return out;
    }

    /** A client for one pull source and the reference it reads there (the physical reference). */
    public record PullClient(RegistryClient client, DockerReference reference) {
    }

    private static RegistryClient client(Env env, RegistriesConf conf, DockerReference ref, boolean confInsecure,
            ImageContext ctx, String actions) throws IOException {
        RegistrySession session = RegistrySession.current();
        if (session == null) {
            return newClient(env, conf, ref, confInsecure, ctx, actions);
        }
        // One client per repository, scope and settings for the whole session (pings and tokens are reused).
        List<Object> key = List.of(ref.domain(), ref.path(), actions, confInsecure, ctx);
        try {
            return session.client(key, () -> {
                try {
                    RegistryClient c = newClient(env, conf, ref, confInsecure, ctx, actions);
                    c.session(session);
                    return c;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static RegistryClient newClient(Env env, RegistriesConf conf, DockerReference ref, boolean confInsecure,
            ImageContext ctx, String actions) throws IOException {
        boolean insecure = ctx.tlsVerify().map(v -> !v).orElse(confInsecure);
        String hostPort = ref.domain();
        // TLS is set up only when an https connection is made (it costs about half a second of CPU).
        Supplier<TlsSettings> tls = memoize(() -> {
            try {
                var material = TlsConfigs.forHost(env, hostPort, ctx.certDir());
                var ssl = TlsConfigs.sslContext(env, material, !insecure);
                return new TlsSettings(ssl.getSocketFactory(), !insecure);
            } catch (ImageException e) {
                throw new UncheckedIOException(e);
            }
        });
        Credentials creds = credentials(env, conf, ref, ctx);
        return new RegistryClient(ref.domain(), ref.path(), actions,
                new RegistryClient.Auth(creds.username(), creds.password(), creds.identityToken()), ctx.registryToken(),
                tls, insecure, userAgent(ctx));
    }

    private static <T> Supplier<T> memoize(Supplier<T> s) {
        return new Supplier<>() {
            private T value;

            @Override
            public synchronized T get() {
                if (value == null) {
                    value = s.get();
                }
                return value;
            }
        };
    }

    /**
     * {@code --creds USER[:PASS]}; anonymous with {@code --no-creds}; else the auth files and credential helpers
     * in skopeo's order (most specific entry first).
     */
    static Credentials credentials(Env env, RegistriesConf conf, DockerReference ref, ImageContext ctx)
            throws ImageException {
        if (ctx.noCredentials()) {
            if (ctx.credentials() != null) {
                throw ImageException.invalid("creds and no-creds cannot be specified at the same time");
            }
            return Credentials.NONE;
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
            return Credentials.basic(user, pass);
        }
        if (ctx.registryToken() != null && !ctx.registryToken().isEmpty()) {
            return Credentials.NONE;
        }
        AuthFiles files = new AuthFiles(env, ctx.authFile(), conf.credentialHelpers());
        return files.lookup(ref.domain(), ref.path());
    }
}
