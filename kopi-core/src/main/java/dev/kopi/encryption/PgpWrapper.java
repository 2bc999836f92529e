package dev.kopi.encryption;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Date;
import java.util.Iterator;
import java.util.List;
import org.bouncycastle.bcpg.SymmetricKeyAlgorithmTags;
import org.bouncycastle.openpgp.PGPEncryptedData;
import org.bouncycastle.openpgp.PGPEncryptedDataGenerator;
import org.bouncycastle.openpgp.PGPEncryptedDataList;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPLiteralDataGenerator;
import org.bouncycastle.openpgp.PGPCompressedData;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyEncryptedData;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import org.bouncycastle.openpgp.PGPSecretKey;
import org.bouncycastle.openpgp.PGPSecretKeyRingCollection;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.jcajce.JcaPGPObjectFactory;
import org.bouncycastle.openpgp.operator.bc.BcPBESecretKeyDecryptorBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDataEncryptorBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;
import org.bouncycastle.openpgp.operator.bc.BcPublicKeyDataDecryptorFactory;
import org.bouncycastle.openpgp.operator.bc.BcPublicKeyKeyEncryptionMethodGenerator;
import org.bouncycastle.openpgp.operator.jcajce.JcaKeyFingerprintCalculator;

/**
 * The {@code pgp} key wrapper: the private options as an OpenPGP message (a literal data packet, no compression,
 * AES-256 with an integrity-protected packet) encrypted to the encryption subkeys of the recipients, as ocicrypt
 * writes it with ProtonMail's go-crypto. Recipients are chosen from a public keyring (what {@code gpg --export}
 * prints) by the name or e-mail address of one of their user IDs, as ocicrypt does.
 */
final class PgpWrapper {
    static final String ANNOTATION = "org.opencontainers.image.enc.keys.pgp";

    private PgpWrapper() {
    }

    /** A secret keyring given with {@code --decryption-key FILE[:PASSPHRASE]}. */
    record SecretRing(PGPSecretKeyRingCollection keys, char[] passphrase) {
    }

    /** Parses a public keyring (binary or armored); null when the data is not one. */
    static PGPPublicKeyRingCollection publicRing(byte[] data) {
        try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(data))) {
            PGPPublicKeyRingCollection c = new PGPPublicKeyRingCollection(in, new JcaKeyFingerprintCalculator());
            return c.size() == 0 ? null : c;
        } catch (IOException | PGPException | RuntimeException e) {
            return null;
        }
    }

    /** Parses a secret keyring (binary or armored); null when the data is not one (ocicrypt's IsGPGPrivateKeyRing). */
    static PGPSecretKeyRingCollection secretRing(byte[] data) {
        try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(data))) {
            PGPSecretKeyRingCollection c = new PGPSecretKeyRingCollection(in, new JcaKeyFingerprintCalculator());
            return c.size() == 0 ? null : c;
        } catch (IOException | PGPException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The encryption keys of the keyring's keys that have a user ID whose name or address is one of
     * {@code recipients}.
     *
     * @throws IOException {@code PGP: No key found for the following recipients: ...} when a recipient matches none
     */
    static List<PGPPublicKey> recipients(PGPPublicKeyRingCollection ring, List<String> recipients) throws IOException {
        List<PGPPublicKey> out = new ArrayList<>();
        List<String> notFound = new ArrayList<>();
        for (String r : recipients) {
            boolean found = false;
            for (Iterator<PGPPublicKeyRing> it = ring.getKeyRings(); it.hasNext();) {
                PGPPublicKeyRing kr = it.next();
                for (Iterator<String> ids = kr.getPublicKey().getUserIDs(); ids.hasNext();) {
                    String id = ids.next();
                    if (r.equals(name(id)) || r.equals(address(id))) {
                        PGPPublicKey enc = encryptionKey(kr);
                        if (enc != null && !out.contains(enc)) {
                            out.add(enc);
                        }
                        found = true;
                    }
                }
            }
            if (!found) {
                notFound.add(r);
            }
        }
        if (!notFound.isEmpty()) {
            throw new IOException("PGP: No key found for the following recipients: " + String.join(", ", notFound));
        }
        return out;
    }

    private static PGPPublicKey encryptionKey(PGPPublicKeyRing kr) {
        PGPPublicKey fallback = null;
        for (Iterator<PGPPublicKey> it = kr.getPublicKeys(); it.hasNext();) {
            PGPPublicKey k = it.next();
            if (!k.isEncryptionKey() || k.hasRevocation()) {
                continue;
            }
            if (!k.isMasterKey()) {
                return k;
            }
            fallback = k;
        }
        return fallback;
    }

    /** The display name of a user ID {@code Name (comment) <address>}. */
    private static String name(String id) {
        int lt = id.indexOf('<');
        String n = lt < 0 ? "" : id.substring(0, lt).strip();
        if (n.length() >= 2 && n.startsWith("\"") && n.endsWith("\"")) {
            n = n.substring(1, n.length() - 1);
        }
        return n;
    }

    private static String address(String id) {
        int lt = id.indexOf('<');
        int gt = id.lastIndexOf('>');
        if (lt >= 0 && gt > lt) {
            return id.substring(lt + 1, gt);
        }
        return id.strip();
    }

    /** Encrypts {@code plaintext} to the given encryption keys. */
    static byte[] wrap(List<PGPPublicKey> keys, byte[] plaintext) throws IOException {
        try {
            PGPEncryptedDataGenerator gen = new PGPEncryptedDataGenerator(
                    new BcPGPDataEncryptorBuilder(SymmetricKeyAlgorithmTags.AES_256).setWithIntegrityPacket(true)
                            .setSecureRandom(new SecureRandom()));
            for (PGPPublicKey k : keys) {
                gen.addMethod(new BcPublicKeyKeyEncryptionMethodGenerator(k));
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (OutputStream enc = gen.open(bytes, new byte[4096])) {
                PGPLiteralDataGenerator lit = new PGPLiteralDataGenerator();
                try (OutputStream l = lit.open(enc, PGPLiteralData.BINARY, "", plaintext.length, new Date())) {
                    l.write(plaintext);
                }
            }
            return bytes.toByteArray();
        } catch (PGPException e) {
            throw new IOException("PGP encryption failed: " + e.getMessage(), e);
        }
    }

    /**
     * Decrypts with the first secret keyring that holds a key the message was encrypted to.
     *
     * @throws IOException {@code PGP: No suitable key found to unwrap key} when none does
     */
    static byte[] unwrap(byte[] message, List<SecretRing> rings) throws IOException {
        if (rings.isEmpty()) {
            throw new IOException("GPG: Missing private key parameter");
        }
        for (SecretRing ring : rings) {
            try {
                JcaPGPObjectFactory f = new JcaPGPObjectFactory(PGPUtil.getDecoderStream(
                        new ByteArrayInputStream(message)));
                Object o = f.nextObject();
                if (!(o instanceof PGPEncryptedDataList list)) {
                    o = f.nextObject();
                }
                if (!(o instanceof PGPEncryptedDataList list2)) {
                    continue;
                }
                for (PGPEncryptedData ed : list2) {
                    if (!(ed instanceof PGPPublicKeyEncryptedData pked)) {
                        continue;
                    }
                    PGPSecretKey sk = ring.keys().getSecretKey(pked.getKeyID());
                    if (sk == null) {
                        continue;
                    }
                    PGPPrivateKey pk = sk.extractPrivateKey(new BcPBESecretKeyDecryptorBuilder(
                            new BcPGPDigestCalculatorProvider()).build(ring.passphrase()));
                    InputStream clear = pked.getDataStream(new BcPublicKeyDataDecryptorFactory(pk));
                    JcaPGPObjectFactory inner = new JcaPGPObjectFactory(clear);
                    Object m = inner.nextObject();
                    if (m instanceof PGPCompressedData cd) {
                        m = new JcaPGPObjectFactory(cd.getDataStream()).nextObject();
                    }
                    if (!(m instanceof PGPLiteralData ld)) {
                        continue;
                    }
                    byte[] data = ld.getInputStream().readAllBytes();
                    if (pked.isIntegrityProtected() && !pked.verify()) {
                        continue;
                    }
                    return data;
                }
            } catch (PGPException | IOException | RuntimeException e) {
                // try the next keyring, as ocicrypt does
            }
        }
        throw new IOException("PGP: No suitable key found to unwrap key");
    }
}
