package dev.kopi.config;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * TLS settings for one registry from a certificate directory (containers/image tlsclientconfig.SetupCertificates):
 * every {@code *.crt} adds CA certificates to the system roots; every {@code *.cert} is a client certificate whose
 * key is the {@code *.key} of the same base name (a {@code .cert} without {@code .key}, or the reverse, is an error).
 * Files are read in name order. {@link #sslContext} turns the material into a {@link SSLContext}, verified or (for
 * {@code --tls-verify=false} and {@code insecure} registries) trusting any server certificate.
 *
 * <p>The system roots are the JDK's, or, when SSL_CERT_FILE or SSL_CERT_DIR is set in the {@link Env}, the PEM
 * certificates of that file and those directories (the variables Go's system pool honours).
 *
 * <p>Nothing here runs until a registry connection needs TLS, so that commands without one never load the JSSE.
 */
public final class TlsConfigs {
    private TlsConfigs() {
    }

    /** A client certificate chain and its private key, from {@code NAME.cert} and {@code NAME.key}. */
    public record ClientIdentity(Path certFile, List<X509Certificate> chain, PrivateKey key) {
        public ClientIdentity {
            chain = List.copyOf(chain);
            Objects.requireNonNull(key, "key");
        }

        @Override
        public String toString() {
            return "ClientIdentity[" + certFile + "]";
        }
    }

    /**
     * What a certificate directory holds.
     *
     * @param dir the directory
     * @param extraRoots the CA certificates of its {@code *.crt} files (Go's pool would be system roots + these)
     * @param hasCrtFiles whether any {@code *.crt} was read (then the system pool is copied and extended)
     * @param clientIdentities the client certificates, in file name order
     */
    public record TlsMaterial(Path dir, List<X509Certificate> extraRoots, boolean hasCrtFiles,
                              List<ClientIdentity> clientIdentities) {
        public TlsMaterial {
            extraRoots = List.copyOf(extraRoots);
            clientIdentities = List.copyOf(clientIdentities);
        }

        /** No certificate directory: system roots, no client certificate. */
        public static TlsMaterial none() {
            return new TlsMaterial(null, List.of(), false, List.of());
        }
    }

    /** Reads the certificate directory for {@code hostPort} ({@link CertDirs#resolve}). */
    public static TlsMaterial forHost(Env env, String hostPort, Path certDirFlag) throws ImageException {
        return load(CertDirs.resolve(env, hostPort, certDirFlag));
    }

    /**
     * Reads {@code dir}. A missing directory, or one that cannot be listed for permissions, holds nothing.
     */
    public static TlsMaterial load(Path dir) throws ImageException {
        Set<String> names = new TreeSet<>(dev.kopi.json.GoJson.KEY_ORDER);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                names.add(p.getFileName().toString());
            }
        } catch (NoSuchFileException | AccessDeniedException e) {
            return new TlsMaterial(dir, List.of(), false, List.of());
        } catch (java.nio.file.NotDirectoryException e) {
            throw new ImageException(ErrorCode.IO, "readdirent " + dir + ": not a directory", e);
        } catch (IOException e) {
            throw new ImageException(ErrorCode.IO, AuthFile.goFileError("open", dir, e), e);
        }
        List<X509Certificate> roots = new ArrayList<>();
        boolean hasCrt = false;
        List<ClientIdentity> identities = new ArrayList<>();
        for (String name : names) {
            Path full = dir.resolve(name);
            if (name.endsWith(".crt")) {
                byte[] data;
                try {
                    data = Files.readAllBytes(full);
                } catch (NoSuchFileException e) {
                    continue; // removed since the listing
                } catch (IOException e) {
                    throw new ImageException(ErrorCode.IO, AuthFile.goFileError("open", full, e), e);
                }
                hasCrt = true;
                roots.addAll(PemKeys.certificates(data));
            }
            if (name.endsWith(".cert")) {
                String keyName = name.substring(0, name.length() - ".cert".length()) + ".key";
                if (!names.contains(keyName)) {
                    throw ImageException.invalid("missing key " + keyName + " for client certificate " + name
                            + ". Note that CA certificates should use the extension .crt");
                }
                identities.add(loadKeyPair(full, dir.resolve(keyName)));
            }
            if (name.endsWith(".key")) {
                String certName = name.substring(0, name.length() - ".key".length()) + ".cert";
                if (!names.contains(certName)) {
                    throw ImageException.invalid("missing client certificate " + certName + " for key " + name);
                }
            }
        }
        return new TlsMaterial(dir, roots, hasCrt, identities);
    }

    /** Go's tls.LoadX509KeyPair, with its error texts. */
    public static ClientIdentity loadKeyPair(Path certFile, Path keyFile) throws ImageException {
        byte[] certPem = read(certFile);
        byte[] keyPem = read(keyFile);
        List<PemKeys.Block> certBlocks = PemKeys.blocks(certPem);
        List<X509Certificate> chain = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (PemKeys.Block b : certBlocks) {
            if (b.type().equals("CERTIFICATE")) {
                try {
                    chain.add(PemKeys.parseCertificate(b.bytes()));
                } catch (GeneralSecurityException e) {
                    throw ImageException.invalid("x509: malformed certificate");
                }
            } else {
                skipped.add(b.type());
            }
        }
        if (chain.isEmpty()) {
            if (skipped.isEmpty()) {
                throw ImageException.invalid("tls: failed to find any PEM data in certificate input");
            }
            if (skipped.size() == 1 && skipped.get(0).endsWith("PRIVATE KEY")) {
                throw ImageException.invalid("tls: failed to find certificate PEM data in certificate input, but "
                        + "did find a private key; PEM inputs may have been switched");
            }
            throw ImageException.invalid("tls: failed to find \"CERTIFICATE\" PEM block in certificate input after "
                    + "skipping PEM blocks of the following types: [" + String.join(" ", skipped) + "]");
        }
        List<PemKeys.Block> keyBlocks = PemKeys.blocks(keyPem);
        PemKeys.Block keyBlock = null;
        List<String> skippedKeys = new ArrayList<>();
        for (PemKeys.Block b : keyBlocks) {
            if (b.type().equals("PRIVATE KEY") || b.type().endsWith(" PRIVATE KEY")) {
                keyBlock = b;
                break;
            }
            skippedKeys.add(b.type());
        }
        if (keyBlock == null) {
            if (skippedKeys.isEmpty()) {
                throw ImageException.invalid("tls: failed to find any PEM data in key input");
            }
            if (skippedKeys.size() == 1 && skippedKeys.get(0).equals("CERTIFICATE")) {
                throw ImageException.invalid("tls: found a certificate rather than a key in the PEM for the private "
                        + "key");
            }
            throw ImageException.invalid("tls: failed to find PEM block with type ending in \"PRIVATE KEY\" in key "
                    + "input after skipping PEM blocks of the following types: [" + String.join(" ", skippedKeys)
                    + "]");
        }
        PrivateKey key;
        try {
            key = PemKeys.parsePrivateKey(keyBlock.bytes());
        } catch (GeneralSecurityException e) {
            throw ImageException.invalid("tls: failed to parse private key");
        }
        checkMatches(chain.get(0).getPublicKey(), key);
        return new ClientIdentity(certFile, chain, key);
    }

    private static byte[] read(Path p) throws ImageException {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new ImageException(ErrorCode.IO, AuthFile.goFileError("open", p, e), e);
        }
    }

    private static String family(String algorithm) {
        return switch (algorithm) {
            case "EdDSA", "Ed25519" -> "Ed25519";
            default -> algorithm;
        };
    }

    /** The key must be of the certificate's type and sign what its public key verifies. */
    private static void checkMatches(PublicKey pub, PrivateKey key) throws ImageException {
        if (!family(pub.getAlgorithm()).equals(family(key.getAlgorithm()))) {
            throw ImageException.invalid("tls: private key type does not match public key type");
        }
        String alg = switch (family(key.getAlgorithm())) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm();
        };
        try {
            byte[] probe = new byte[32];
            new SecureRandom().nextBytes(probe);
            Signature s = Signature.getInstance(alg);
            s.initSign(key);
            s.update(probe);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(alg);
            v.initVerify(pub);
            v.update(probe);
            if (!v.verify(sig)) {
                throw ImageException.invalid("tls: private key does not match public key");
            }
        } catch (GeneralSecurityException e) {
            throw ImageException.invalid("tls: private key does not match public key");
        }
    }

    /**
     * An {@link SSLContext} for {@code material}: trusting the system roots (plus the directory's CAs), or any
     * server certificate when {@code verify} is false; presenting the client certificates when the server asks.
     */
    public static SSLContext sslContext(Env env, TlsMaterial material, boolean verify) throws ImageException {
        try {
            KeyManager[] kms = keyManagers(material.clientIdentities());
            TrustManager[] tms = verify ? trustManagers(env, material) : new TrustManager[] {dev.kopi.internal.http.TlsSettings.trustAll()};
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kms, tms, null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new ImageException(ErrorCode.IO, "setting up TLS for " + material.dir() + ": " + e.getMessage(), e);
        }
    }

    private static KeyManager[] keyManagers(List<ClientIdentity> ids) throws GeneralSecurityException, IOException {
        if (ids.isEmpty()) {
            return null;
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        char[] pw = new char[0];
        int i = 0;
        for (ClientIdentity id : ids) {
            ks.setKeyEntry("client-" + i++, id.key(), pw, id.chain().toArray(new X509Certificate[0]));
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, pw);
        return kmf.getKeyManagers();
    }

    private static TrustManager[] trustManagers(Env env, TlsMaterial m) throws GeneralSecurityException,
            IOException {
        List<X509Certificate> envRoots = envRoots(env);
        if (envRoots == null && !m.hasCrtFiles()) {
            return null; // the JDK default
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        int i = 0;
        List<X509Certificate> system = envRoots != null ? envRoots : jdkRoots();
        for (X509Certificate c : system) {
            ks.setCertificateEntry("system-" + i++, c);
        }
        for (X509Certificate c : m.extraRoots()) {
            ks.setCertificateEntry("certs-d-" + i++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        return tmf.getTrustManagers();
    }

    private static List<X509Certificate> jdkRoots() throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init((KeyStore) null);
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                return List.of(x.getAcceptedIssuers());
            }
        }
        return List.of();
    }

    /** The roots named by SSL_CERT_FILE / SSL_CERT_DIR, or null when neither is set. */
    static List<X509Certificate> envRoots(Env env) {
        var file = env.nonEmpty("SSL_CERT_FILE");
        var dirs = env.nonEmpty("SSL_CERT_DIR");
        if (file.isEmpty() && dirs.isEmpty()) {
            return null;
        }
        List<X509Certificate> res = new ArrayList<>();
        file.ifPresent(f -> {
            try {
                res.addAll(PemKeys.certificates(Files.readAllBytes(Path.of(f))));
            } catch (IOException e) {
                // as Go: an unreadable file adds nothing
            }
        });
        dirs.ifPresent(ds -> {
            for (String d : ds.split(":")) {
                try (DirectoryStream<Path> s = Files.newDirectoryStream(Path.of(d))) {
                    for (Path p : s) {
                        if (Files.isRegularFile(p)) {
                            res.addAll(PemKeys.certificates(Files.readAllBytes(p)));
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    // skipped
                }
            }
        });
        return res;
    }
}
