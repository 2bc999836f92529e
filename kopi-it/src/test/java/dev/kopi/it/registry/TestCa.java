package dev.kopi.it.registry;

import dev.kopi.it.Tools;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throwaway certificate authority made with the {@code openssl} CLI (a fresh one per {@link #create}), issuing
 * server certificates (for 127.0.0.1 / localhost) and signing certificates (for the token server's JWTs). All keys
 * are unencrypted PKCS#8 PEM files next to the certificates.
 */
public final class TestCa {
    /** Key types for issued certificates. */
    public enum KeyType {
        /** NIST P-256 (fast to generate; ES256 for JWTs). */
        EC_P256,
        /** RSA 2048 (RS256 for JWTs). */
        RSA_2048
    }

    /**
     * One issued certificate with its key.
     *
     * @param certificate PEM certificate file (leaf only)
     * @param key PEM PKCS#8 private key file
     * @param x509 the parsed certificate
     * @param privateKey the parsed key
     */
    public record Issued(Path certificate, Path key, X509Certificate x509, PrivateKey privateKey) {
    }

    private static final AtomicInteger SERIAL = new AtomicInteger();
    private static final String CONFIG = """
            [req]
            distinguished_name = dn
            prompt = no
            [dn]
            CN = unused
            [ca_ext]
            basicConstraints = critical,CA:TRUE
            keyUsage = critical,keyCertSign,cRLSign,digitalSignature
            subjectKeyIdentifier = hash
            [server_ext]
            basicConstraints = critical,CA:FALSE
            keyUsage = critical,digitalSignature,keyEncipherment
            extendedKeyUsage = serverAuth
            subjectAltName = IP:127.0.0.1,DNS:localhost
            subjectKeyIdentifier = hash
            authorityKeyIdentifier = keyid
            [signer_ext]
            basicConstraints = critical,CA:FALSE
            keyUsage = critical,digitalSignature
            subjectKeyIdentifier = hash
            authorityKeyIdentifier = keyid
            """;

    private final Path dir;
    private final Path config;
    private final Path caCert;
    private final Path caKey;
    private final X509Certificate caX509;

    private TestCa(Path dir, Path config, Path caCert, Path caKey) {
        this.dir = dir;
        this.config = config;
        this.caCert = caCert;
        this.caKey = caKey;
        this.caX509 = readCertificate(caCert);
    }

    /** Creates a new CA (EC P-256, valid for 2 days) in {@code dir} ({@code ca.crt}, {@code ca.key}). */
    public static TestCa create(Path dir) {
        String openssl = Tools.require("openssl", "openssl").toString();
        try {
            Files.createDirectories(dir);
            Path config = dir.resolve("openssl.cnf");
            Files.writeString(config, CONFIG);
            Path cert = dir.resolve("ca.crt");
            Path key = dir.resolve("ca.key");
            List<String> cmd = new ArrayList<>(List.of(openssl, "req", "-x509", "-config", config.toString(),
                    "-extensions", "ca_ext", "-days", "2", "-nodes", "-subj",
                    "/O=kopi tests/CN=kopi test CA " + SERIAL.incrementAndGet(), "-keyout", key.toString(), "-out",
                    cert.toString(), "-set_serial", serial()));
            cmd.addAll(newKey(KeyType.EC_P256));
            Exec.run(dir, cmd);
            return new TestCa(dir, config, cert, key);
        } catch (IOException e) {
            throw new UncheckedIOException("creating a test CA in " + dir, e);
        }
    }

    /** The CA certificate (PEM), to trust in clients ({@code --cert-dir}, certs.d, rootcertbundle). */
    public Path certificate() {
        return caCert;
    }

    public X509Certificate x509() {
        return caX509;
    }

    /** A server certificate for {@code IP:127.0.0.1} and {@code DNS:localhost}, EC P-256. */
    public Issued issueServer(String name) {
        return issue(name, "server_ext", KeyType.EC_P256);
    }

    /** A certificate for signing (token server JWTs). */
    public Issued issueSigner(String name, KeyType type) {
        return issue(name, "signer_ext", type);
    }

    private Issued issue(String name, String extensions, KeyType type) {
        String openssl = Tools.require("openssl", "openssl").toString();
        Path key = dir.resolve(name + ".key");
        Path csr = dir.resolve(name + ".csr");
        Path cert = dir.resolve(name + ".crt");
        List<String> req = new ArrayList<>(List.of(openssl, "req", "-new", "-config", config.toString(), "-nodes",
                "-subj", "/O=kopi tests/CN=" + name, "-keyout", key.toString(), "-out", csr.toString()));
        req.addAll(newKey(type));
        Exec.run(dir, req);
        Exec.run(dir, List.of(openssl, "x509", "-req", "-in", csr.toString(), "-CA", caCert.toString(), "-CAkey",
                caKey.toString(), "-set_serial", serial(), "-days", "2", "-extfile", config.toString(), "-extensions",
                extensions, "-out", cert.toString()));
        return new Issued(cert, key, readCertificate(cert), readKey(key));
    }

    /** An SSL context trusting only this CA (for Java clients: readiness checks, direct registry requests). */
    public SSLContext clientContext() {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", caX509);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("building an SSL context trusting " + caCert, e);
        }
    }

    /** An SSL context serving {@code issued} (chain: leaf, this CA), for Java TLS servers in tests. */
    public SSLContext serverContext(Issued issued) {
        try {
            char[] pw = "unused".toCharArray();
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("server", issued.privateKey(), pw,
                    new java.security.cert.Certificate[] {issued.x509(), caX509});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, pw);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("building a server SSL context for " + issued.certificate(), e);
        }
    }

    private static List<String> newKey(KeyType type) {
        return switch (type) {
            case EC_P256 -> List.of("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1");
            case RSA_2048 -> List.of("-newkey", "rsa:2048");
        };
    }

    private static String serial() {
        return "0x" + new java.math.BigInteger(63, new SecureRandom()).toString(16);
    }

    static X509Certificate readCertificate(Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("reading certificate " + pem, e);
        }
    }

    static PrivateKey readKey(Path pem) {
        try {
            String text = Files.readString(pem);
            int begin = text.indexOf("-----BEGIN PRIVATE KEY-----");
            int end = text.indexOf("-----END PRIVATE KEY-----");
            if (begin < 0 || end < 0) {
                throw new IllegalStateException("not an unencrypted PKCS#8 PEM key: " + pem);
            }
            byte[] der = Base64.getMimeDecoder()
                    .decode(text.substring(begin + "-----BEGIN PRIVATE KEY-----".length(), end));
            PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
            try {
                return KeyFactory.getInstance("EC").generatePrivate(spec);
            } catch (GeneralSecurityException notEc) {
                return KeyFactory.getInstance("RSA").generatePrivate(spec);
            }
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("reading private key " + pem, e);
        }
    }
}
