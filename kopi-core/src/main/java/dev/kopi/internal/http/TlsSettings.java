package dev.kopi.internal.http;

import dev.kopi.error.ImageException;
import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * How to speak TLS to one {@code host:port}: the socket factory (trust roots, client certificate) and whether
 * the server's name must match its certificate. Hostname checks are done by the factory's trust manager, so a
 * trust-everything factory ({@link #insecure()}) checks no names either, like Go's {@code InsecureSkipVerify}.
 */
public record TlsSettings(SSLSocketFactory socketFactory, boolean verifyHostname) {
    public TlsSettings {
        Objects.requireNonNull(socketFactory, "socketFactory");
    }

    /** The JDK's default trust store (honours {@code javax.net.ssl.trustStore}), hostname verified. */
    public static TlsSettings jdkDefault() {
        return new TlsSettings((SSLSocketFactory) SSLSocketFactory.getDefault(), true);
    }

    /** Accept any certificate for any name (skopeo's {@code --tls-verify=false}). */
    public static TlsSettings insecure() {
        try {
            return builder().verify(false).build();
        } catch (IOException e) {
            throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Builds settings as containers/image does for a {@code certs.d} directory: the JDK's roots plus extra CA
     * certificates, an optional client certificate, and verification on or off.
     */
    public static final class Builder {
        private boolean verify = true;
        private boolean jdkRoots = true;
        private final List<X509Certificate> extraRoots = new ArrayList<>();
        private PrivateKey clientKey;
        private List<X509Certificate> clientChain;

        private Builder() {
        }

        /** false: trust any certificate and skip the hostname check. Default true. */
        public Builder verify(boolean v) {
            this.verify = v;
            return this;
        }

        /** Whether the JDK's default roots are trusted besides {@link #trust}ed ones. Default true. */
        public Builder jdkRoots(boolean use) {
            this.jdkRoots = use;
            return this;
        }

        /** Adds CA certificates to trust (a certs.d {@code *.crt}). */
        public Builder trust(Collection<X509Certificate> roots) {
            extraRoots.addAll(roots);
            return this;
        }

        /** The client certificate (a certs.d {@code *.cert} + {@code *.key} pair); chain[0] is the leaf. */
        public Builder clientCertificate(PrivateKey key, List<X509Certificate> chain) {
            if (chain.isEmpty()) {
                throw new IllegalArgumentException("client certificate chain is empty");
            }
            this.clientKey = Objects.requireNonNull(key, "key");
            this.clientChain = List.copyOf(chain);
            return this;
        }

        /** Fails (INVALID_INPUT) when the key material is unusable. */
        public TlsSettings build() throws IOException {
            try {
                KeyManager[] kms = null;
                if (clientKey != null) {
                    KeyStore ks = KeyStore.getInstance("PKCS12");
                    ks.load(null, null);
                    char[] pw = new char[0];
                    ks.setKeyEntry("client", clientKey, pw, clientChain.toArray(new X509Certificate[0]));
                    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                    kmf.init(ks, pw);
                    kms = kmf.getKeyManagers();
                }
                TrustManager[] tms;
                if (!verify) {
                    tms = new TrustManager[] {new TrustAll()};
                } else if (extraRoots.isEmpty() && jdkRoots) {
                    tms = null;
                } else {
                    KeyStore trust = KeyStore.getInstance("PKCS12");
                    trust.load(null, null);
                    int i = 0;
                    if (jdkRoots) {
                        TrustManagerFactory def = TrustManagerFactory.getInstance(
                                TrustManagerFactory.getDefaultAlgorithm());
                        def.init((KeyStore) null);
                        for (TrustManager tm : def.getTrustManagers()) {
                            if (tm instanceof X509TrustManager x) {
                                for (X509Certificate c : x.getAcceptedIssuers()) {
                                    trust.setCertificateEntry("jdk-" + i++, c);
                                }
                            }
                        }
                    }
                    for (X509Certificate c : extraRoots) {
                        trust.setCertificateEntry("extra-" + i++, c);
                    }
                    TrustManagerFactory tmf = TrustManagerFactory.getInstance(
                            TrustManagerFactory.getDefaultAlgorithm());
                    tmf.init(trust);
                    tms = tmf.getTrustManagers();
                }
                if (kms == null && tms == null) {
                    return jdkDefault();
                }
                SSLContext ctx = SSLContext.getInstance("TLS");
                ctx.init(kms, tms, null);
                return new TlsSettings(ctx.getSocketFactory(), verify);
            } catch (GeneralSecurityException e) {
                throw ImageException.invalid("setting up TLS: " + e.getMessage(), e);
            }
        }
    }

    /** A trust manager that trusts every certificate (Go's InsecureSkipVerify); only for verification turned off. */
    public static TrustManager trustAll() {
        return new TrustAll();
    }

    /** Trusts every certificate; used only when verification is turned off. */
    private static final class TrustAll extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
