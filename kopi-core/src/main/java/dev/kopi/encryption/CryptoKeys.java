package dev.kopi.encryption;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import org.bouncycastle.openpgp.PGPSecretKeyRingCollection;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads skopeo's {@code --encryption-key} and {@code --decryption-key} values as ocicrypt's helpers do
 * ({@code processRecipientKeys}, {@code processPrivateKeyFiles}, {@code processx509Certs}), with their error texts.
 */
final class CryptoKeys {
    private CryptoKeys() {
    }

    /** {@code PROTOCOL:VALUE} recipients; fails with {@code Invalid encryption keys: ...}. */
    static OciCrypt.Recipients recipients(List<String> specs, Map<String, String> env) throws ImageException {
        try {
            List<PublicKey> jwe = new ArrayList<>();
            List<String> pgpNames = new ArrayList<>();
            List<X509Certificate> x509 = new ArrayList<>();
            for (String spec : specs) {
                int idx = spec.indexOf(':');
                if (idx < 0) {
                    throw new IOException("Invalid recipient format");
                }
                String protocol = spec.substring(0, idx);
                String value = spec.substring(idx + 1);
                switch (protocol) {
                    case "pgp" -> pgpNames.add(value);
                    case "jwe" -> {
                        PublicKey k = publicKey(readRecipientFile(value));
                        if (k == null) {
                            throw new IOException("File provided is not a public key");
                        }
                        jwe.add(k);
                    }
                    case "pkcs7" -> {
                        X509Certificate c = certificate(readRecipientFile(value));
                        if (c == null) {
                            throw new IOException("File provided is not an x509 cert");
                        }
                        x509.add(c);
                    }
                    case "pkcs11", "provider" -> throw new IOException("kopi does not support " + protocol
                            + " encryption keys");
                    default -> throw new IOException("Provided protocol not recognized");
                }
            }
            List<org.bouncycastle.openpgp.PGPPublicKey> pgp = new ArrayList<>();
            if (!pgpNames.isEmpty()) {
                byte[] ring = gpgExport(env);
                if (ring != null) {
                    PGPPublicKeyRingCollection c = PgpWrapper.publicRing(ring);
                    if (c == null) {
                        throw new IOException("PGP: No key found for the following recipients: "
                                + String.join(", ", pgpNames));
                    }
                    pgp.addAll(PgpWrapper.recipients(c, pgpNames));
                }
            }
            return new OciCrypt.Recipients(jwe, pgp, x509);
        } catch (IOException e) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "Invalid encryption keys: " + e.getMessage(), e);
        }
    }

    private static byte[] readRecipientFile(String name) throws IOException {
        try {
            return Files.readAllBytes(Path.of(name));
        } catch (IOException e) {
            throw new IOException("Unable to read file: " + goOpenError(name, e), e);
        }
    }

    private static String goOpenError(String name, IOException e) {
        if (e instanceof NoSuchFileException) {
            return "open " + name + ": no such file or directory";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "open " + name + ": permission denied";
        }
        return "open " + name + ": " + e.getMessage();
    }

    /**
     * The public keyring of the user's GnuPG ({@code gpg2}, else {@code gpg}, {@code --batch --export}); null
     * when GnuPG is not installed (ocicrypt then ignores {@code pgp:} recipients).
     */
    private static byte[] gpgExport(Map<String, String> env) throws IOException {
        for (String gpg : List.of("gpg2", "gpg")) {
            ProcessBuilder pb = new ProcessBuilder(gpg, "--batch", "--export");
            pb.environment().putAll(env);
            pb.redirectError(ProcessBuilder.Redirect.DISCARD);
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                continue; // not installed under this name
            }
            byte[] out = p.getInputStream().readAllBytes();
            try {
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IOException(gpg + " --export did not finish");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while running " + gpg, e);
            }
            if (p.exitValue() != 0) {
                throw new IOException("exit status " + p.exitValue() + " from " + gpg + " --export");
            }
            return out;
        }
        return null;
    }

    /** {@code FILE[:PASSWORD]} decryption keys; fails with {@code Invalid decryption keys: ...}. */
    static OciCrypt.Keys keys(List<String> specs) throws ImageException {
        try {
            List<PrivateKey> privateKeys = new ArrayList<>();
            List<PgpWrapper.SecretRing> rings = new ArrayList<>();
            List<X509Certificate> certs = new ArrayList<>();
            for (String spec : specs) {
                String[] parts = spec.split(":", -1);
                byte[] password = null;
                if (parts.length == 2) {
                    password = password(parts[1]);
                }
                String file = parts[0];
                Path path = Path.of(file);
                if (Files.exists(path)) {
                    X509Certificate c = certificate(Files.readAllBytes(path));
                    if (c != null) {
                        certs.add(c);
                    }
                }
                byte[] data;
                try {
                    data = Files.readAllBytes(path);
                } catch (IOException e) {
                    throw new IOException(goOpenError(file, e), e);
                }
                PrivateKey pk = privateKey(data, password);
                if (pk != null) {
                    privateKeys.add(pk);
                    continue;
                }
                PGPSecretKeyRingCollection ring = PgpWrapper.secretRing(data);
                if (ring != null) {
                    rings.add(new PgpWrapper.SecretRing(ring, password == null ? new char[0]
                            : new String(password, StandardCharsets.UTF_8).toCharArray()));
                }
            }
            return new OciCrypt.Keys(privateKeys, rings, certs);
        } catch (IOException e) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "Invalid decryption keys: " + e.getMessage(), e);
        }
    }

    /** ocicrypt's processPwdString: {@code file=PATH}, {@code pass=PASSWORD}, {@code fd=N} or the password. */
    private static byte[] password(String s) throws IOException {
        if (s.startsWith("file=")) {
            return Files.readAllBytes(Path.of(s.substring(5)));
        }
        if (s.startsWith("pass=")) {
            return s.substring(5).getBytes(StandardCharsets.UTF_8);
        }
        if (s.startsWith("fd=")) {
            String fd = s.substring(3);
            try {
                Integer.parseInt(fd);
            } catch (NumberFormatException e) {
                throw new IOException("could not parse file descriptor " + fd + ": strconv.Atoi: parsing \"" + fd
                        + "\": invalid syntax");
            }
            byte[] all = Files.readAllBytes(Path.of("/proc/self/fd/" + fd));
            return java.util.Arrays.copyOf(all, Math.min(all.length, 64));
        }
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A public key in PEM (SubjectPublicKeyInfo) or DER; null when the data is not one. */
    static PublicKey publicKey(byte[] data) {
        try {
            Object o = pem(data);
            SubjectPublicKeyInfo spki = o instanceof SubjectPublicKeyInfo s ? s
                    : o == null ? SubjectPublicKeyInfo.getInstance(data) : null;
            return spki == null ? null : new JcaPEMKeyConverter().getPublicKey(spki);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * A private key in PEM (PKCS#8, PKCS#1 RSA, SEC1 EC, possibly encrypted with {@code password}) or DER; null when
     * the data is not one.
     *
     * @throws IOException when the key is encrypted and the password is missing or wrong
     */
    static PrivateKey privateKey(byte[] data, byte[] password) throws IOException {
        Object o;
        try {
            o = pem(data);
        } catch (IOException | RuntimeException e) {
            return null;
        }
        JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
        try {
            if (o instanceof PEMKeyPair kp) {
                return conv.getPrivateKey(kp.getPrivateKeyInfo());
            }
            if (o instanceof PrivateKeyInfo pki) {
                return conv.getPrivateKey(pki);
            }
            if (o instanceof PEMEncryptedKeyPair ekp) {
                if (password == null) {
                    throw new IOException("private key is password protected, but password was not provided");
                }
                return conv.getKeyPair(ekp.decryptKeyPair(new JcePEMDecryptorProviderBuilder()
                        .build(new String(password, StandardCharsets.UTF_8).toCharArray()))).getPrivate();
            }
            if (o instanceof PKCS8EncryptedPrivateKeyInfo epki) {
                if (password == null) {
                    throw new IOException("private key is password protected, but password was not provided");
                }
                return conv.getPrivateKey(epki.decryptPrivateKeyInfo(new JceOpenSSLPKCS8DecryptorProviderBuilder()
                        .build(new String(password, StandardCharsets.UTF_8).toCharArray())));
            }
            if (o == null) {
                for (String alg : List.of("RSA", "EC")) {
                    try {
                        return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(data));
                    } catch (java.security.GeneralSecurityException e) {
                        // next
                    }
                }
            }
            return null;
        } catch (org.bouncycastle.openssl.PEMException | org.bouncycastle.pkcs.PKCSException
                | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IOException("could not decrypt the private key: " + e.getMessage(), e);
        }
    }

    /** An X.509 certificate in PEM or DER; null when the data is not one. */
    static X509Certificate certificate(byte[] data) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(data));
        } catch (CertificateException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The first key or certificate PEM object of {@code data} (skipping others, such as the {@code EC PARAMETERS}
     * block {@code openssl ecparam -genkey} writes first); null when there is none.
     */
    private static Object pem(byte[] data) throws IOException {
        try (Reader r = new InputStreamReader(new ByteArrayInputStream(data), StandardCharsets.US_ASCII);
             PEMParser p = new PEMParser(r)) {
            for (Object o = p.readObject(); o != null; o = p.readObject()) {
                if (o instanceof PEMKeyPair || o instanceof PrivateKeyInfo || o instanceof SubjectPublicKeyInfo
                        || o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo
                        || o instanceof org.bouncycastle.cert.X509CertificateHolder) {
                    return o;
                }
            }
            return null;
        }
    }

    static PublicKey derPublicKey(byte[] der, String alg) throws java.security.GeneralSecurityException {
        return KeyFactory.getInstance(alg).generatePublic(new X509EncodedKeySpec(der));
    }
}
