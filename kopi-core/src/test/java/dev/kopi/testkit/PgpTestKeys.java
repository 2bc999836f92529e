package dev.kopi.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.util.Date;
import org.bouncycastle.bcpg.CompressionAlgorithmTags;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.openpgp.PGPCompressedDataGenerator;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPKeyPair;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPLiteralDataGenerator;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPKeyPair;

/**
 * OpenPGP keys and signed messages made in-process with Bouncy Castle, shaped as gpg makes them (compressed
 * one-pass signed message), so that unit tests need no gpg. The integration tests use the real gpg.
 */
public final class PgpTestKeys {
    private final PGPKeyPair pair;
    private final PGPPublicKeyRing ring;

    private PgpTestKeys(PGPKeyPair pair, PGPPublicKeyRing ring) {
        this.pair = pair;
        this.ring = ring;
    }

    /** A new Ed25519 signing key with user ID {@code uid}. */
    public static PgpTestKeys generate(String uid) {
        try {
            Ed25519KeyPairGenerator g = new Ed25519KeyPairGenerator();
            g.init(new Ed25519KeyGenerationParameters(new SecureRandom()));
            AsymmetricCipherKeyPair kp = g.generateKeyPair();
            PGPKeyPair pair = new BcPGPKeyPair(PublicKeyAlgorithmTags.EDDSA_LEGACY, kp, new Date());
            PGPSignatureGenerator sg = new PGPSignatureGenerator(
                    new BcPGPContentSignerBuilder(PublicKeyAlgorithmTags.EDDSA_LEGACY, HashAlgorithmTags.SHA256),
                    pair.getPublicKey());
            sg.init(PGPSignature.POSITIVE_CERTIFICATION, pair.getPrivateKey());
            PGPSignatureSubpacketGenerator sp = new PGPSignatureSubpacketGenerator();
            sp.setKeyFlags(false, org.bouncycastle.bcpg.sig.KeyFlags.SIGN_DATA
                    | org.bouncycastle.bcpg.sig.KeyFlags.CERTIFY_OTHER);
            sg.setHashedSubpackets(sp.generate());
            PGPSignature cert = sg.generateCertification(uid, pair.getPublicKey());
            PGPPublicKey withUid = PGPPublicKey.addCertification(pair.getPublicKey(), uid, cert);
            PGPPublicKeyRing ring = new PGPPublicKeyRing(java.util.List.of(withUid));
            return new PgpTestKeys(pair, ring);
        } catch (PGPException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The public key ring, binary, as {@code gpg --export} writes it. */
    public byte[] publicKeyring() {
        try {
            return ring.getEncoded();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The upper-case hex fingerprint. */
    public String fingerprint() {
        return java.util.HexFormat.of().withUpperCase().formatHex(pair.getPublicKey().getFingerprint());
    }

    /** A signed message of {@code content}: compressed(one-pass signature, literal data, signature). */
    public byte[] sign(byte[] content) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PGPCompressedDataGenerator comp = new PGPCompressedDataGenerator(CompressionAlgorithmTags.ZIP);
            try (OutputStream c = comp.open(out)) {
                PGPSignatureGenerator sg = new PGPSignatureGenerator(new BcPGPContentSignerBuilder(
                        PublicKeyAlgorithmTags.EDDSA_LEGACY, HashAlgorithmTags.SHA256), pair.getPublicKey());
                sg.init(PGPSignature.BINARY_DOCUMENT, pair.getPrivateKey());
                sg.generateOnePassVersion(false).encode(c);
                PGPLiteralDataGenerator lit = new PGPLiteralDataGenerator();
                try (OutputStream l = lit.open(c, PGPLiteralData.BINARY, "", content.length, new Date())) {
                    l.write(content);
                }
                sg.update(content);
                sg.generate().encode(c);
            }
            return out.toByteArray();
        } catch (IOException | PGPException e) {
            throw new IllegalStateException(e);
        }
    }
}
