package dev.kopi.signature.simple;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.bcpg.ArmoredInputStream;
import org.bouncycastle.openpgp.PGPCompressedData;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPMarker;
import org.bouncycastle.openpgp.PGPOnePassSignature;
import org.bouncycastle.openpgp.PGPOnePassSignatureList;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;
import org.bouncycastle.openpgp.operator.bc.BcKeyFingerprintCalculator;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentVerifierBuilderProvider;

/**
 * OpenPGP signed messages (what {@code gpg --sign} writes: optionally compressed, a one-pass signature, the
 * literal data, the signature) read and verified with Bouncy Castle. This plays the part of containers/image's
 * signing mechanism for verification; key identities are upper-case hex fingerprints of primary keys, as there.
 */
public final class OpenPgp {
    private OpenPgp() {
    }

    /** Public keys to verify with, and the fingerprints of their primary keys (in file order). */
    public record Keyring(List<PGPPublicKeyRing> rings, List<String> fingerprints) {
        public Keyring {
            rings = List.copyOf(rings);
            fingerprints = List.copyOf(fingerprints);
        }

        /** No keys. */
        public static Keyring empty() {
            return new Keyring(List.of(), List.of());
        }

        /** This keyring and {@code other}. */
        public Keyring plus(Keyring other) {
            List<PGPPublicKeyRing> r = new ArrayList<>(rings);
            r.addAll(other.rings);
            List<String> f = new ArrayList<>(fingerprints);
            f.addAll(other.fingerprints);
            return new Keyring(r, f);
        }

        PGPPublicKeyRing ringOf(long keyId) {
            for (PGPPublicKeyRing r : rings) {
                if (r.getPublicKey(keyId) != null) {
                    return r;
                }
            }
            return null;
        }
    }

    /**
     * What a verified signature signed, and by which key: {@code keyFingerprint} is the primary key's,
     * {@code signingKeyFingerprint} the (sub)key that made the signature (the same for a primary-key signature).
     */
    public record Verified(byte[] content, String keyFingerprint, String signingKeyFingerprint) {
        public Verified {
            content = content.clone();
        }

        @Override
        public byte[] content() {
            return content.clone();
        }
    }

    /** The signed content of a signature that was not verified, and the signer's 16-digit key ID. */
    public record Untrusted(byte[] content, String shortKeyIdentifier) {
        public Untrusted {
            content = content.clone();
        }

        @Override
        public byte[] content() {
            return content.clone();
        }
    }

    /** An upper-case hex fingerprint. */
    public static String fingerprint(PGPPublicKey key) {
        return HexFormat.of().withUpperCase().formatHex(key.getFingerprint());
    }

    /**
     * Reads public keys, binary or ASCII-armored (one or more blocks), as gpg exports them. Secret keys and other
     * packets are skipped. No key is not an error here (the caller decides).
     */
    public static Keyring importKeys(byte[] blob) {
        List<PGPPublicKeyRing> rings = new ArrayList<>();
        List<String> fprs = new ArrayList<>();
        try {
            if (isArmored(blob)) {
                ByteArrayInputStream in = new ByteArrayInputStream(blob);
                while (in.available() > 0) {
                    ArmoredInputStream a = new ArmoredInputStream(in);
                    readRings(a, rings, fprs);
                    // the next block, if any
                    if (!skipToNextArmor(in)) {
                        break;
                    }
                }
            } else {
                readRings(new ByteArrayInputStream(blob), rings, fprs);
            }
        } catch (IOException | RuntimeException e) {
            // keep what was read
        }
        return new Keyring(rings, fprs);
    }

    private static boolean skipToNextArmor(ByteArrayInputStream in) {
        in.mark(0);
        byte[] rest = in.readAllBytes();
        String s = new String(rest, java.nio.charset.StandardCharsets.ISO_8859_1);
        int i = s.indexOf("-----BEGIN PGP");
        if (i < 0) {
            return false;
        }
        in.reset();
        in.skip(i);
        return true;
    }

    private static boolean isArmored(byte[] blob) {
        int n = Math.min(blob.length, 4096);
        String head = new String(blob, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1);
        return head.contains("-----BEGIN PGP");
    }

    private static void readRings(InputStream in, List<PGPPublicKeyRing> rings, List<String> fprs)
            throws IOException {
        BcPGPObjectFactory f = new BcPGPObjectFactory(in);
        while (true) {
            Object o;
            try {
                o = f.nextObject();
            } catch (IOException e) {
                return;
            }
            if (o == null) {
                return;
            }
            if (o instanceof PGPPublicKeyRing r) {
                rings.add(r);
                fprs.add(fingerprint(r.getPublicKey()));
            }
        }
    }

    private record Parsed(PGPOnePassSignature ops, byte[] content, PGPSignature signature) {
    }

    private static ImageException invalid(String message) {
        return new ImageException(ErrorCode.POLICY_REJECTED, message);
    }

    /** Reads a signed message: the one-pass signature, the literal data and the signature. */
    private static Parsed parse(byte[] signature) throws ImageException {
        try {
            InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(signature));
            BcPGPObjectFactory f = new BcPGPObjectFactory(in);
            PGPOnePassSignature ops = null;
            int opsCount = 0;
            byte[] content = null;
            PGPSignature sig = null;
            int sigCount = 0;
            Object o = f.nextObject();
            while (o != null) {
                if (o instanceof PGPCompressedData c) {
                    f = new BcPGPObjectFactory(c.getDataStream());
                } else if (o instanceof PGPOnePassSignatureList l) {
                    opsCount += l.size();
                    if (ops == null && !l.isEmpty()) {
                        ops = l.get(0);
                    }
                } else if (o instanceof PGPLiteralData d) {
                    if (content != null) {
                        throw invalid("openpgp: invalid data: more than one literal data packet");
                    }
                    content = d.getInputStream().readAllBytes();
                } else if (o instanceof PGPSignatureList l) {
                    sigCount += l.size();
                    if (sig == null && !l.isEmpty()) {
                        sig = l.get(0);
                    }
                } else if (!(o instanceof PGPMarker)) {
                    throw invalid("openpgp: invalid data: unexpected packet " + o.getClass().getSimpleName());
                }
                o = f.nextObject();
            }
            if (content == null || (ops == null && sig == null)) {
                throw invalid("The input is not a signature");
            }
            if (sig == null) {
                throw invalid("openpgp: invalid data: signature packet missing");
            }
            if (sigCount != 1 || opsCount > 1) {
                throw invalid("Unexpected GPG signature count " + Math.max(sigCount, opsCount));
            }
            return new Parsed(ops, content, sig);
        } catch (IOException e) {
            if (e instanceof ImageException ie) {
                throw ie;
            }
            throw invalid("openpgp: invalid data: " + e.getMessage());
        } catch (PGPException | RuntimeException e) {
            throw invalid("openpgp: invalid data: " + e.getMessage());
        }
    }

    private static long keyId(Parsed p) {
        return p.ops != null ? p.ops.getKeyID() : p.signature.getKeyID();
    }

    /** The signed content and signer key ID of a signature, without verifying anything. */
    public static Untrusted untrustedContents(byte[] signature) throws ImageException {
        Parsed p = parse(signature);
        return new Untrusted(p.content, String.format(Locale.ROOT, "%016X", keyId(p)));
    }

    /**
     * Verifies a signed message with {@code keys} and returns its content and the signer's primary fingerprint.
     *
     * @throws ImageException POLICY_REJECTED (the texts of containers/image's openpgp mechanism) when the signer
     *     is not in {@code keys}, the signature does not match, or it expired
     */
    public static Verified verify(byte[] signature, Keyring keys) throws ImageException {
        Parsed p = parse(signature);
        long id = keyId(p);
        PGPPublicKeyRing ring = keys.ringOf(id);
        if (ring == null) {
            throw invalid("Key not found for key ID " + Long.toHexString(id) + " in signature");
        }
        PGPPublicKey key = ring.getPublicKey(id);
        boolean ok;
        try {
            PGPSignature s = p.signature;
            if (s.getKeyID() != id) {
                throw invalid("signature error: openpgp: invalid signature: key ID of the signature and its "
                        + "one-pass header differ");
            }
            s.init(new BcPGPContentVerifierBuilderProvider(), key);
            s.update(p.content);
            ok = s.verify();
        } catch (PGPException | RuntimeException e) {
            throw invalid("signature error: openpgp: invalid signature: " + e.getMessage());
        }
        if (!ok) {
            throw invalid("signature error: openpgp: invalid signature: verification failure");
        }
        PGPSignature s = p.signature;
        if (s.getHashedSubPackets() != null && s.getHashedSubPackets().getSignatureExpirationTime() > 0) {
            long expiry = s.getCreationTime().getTime() / 1000 + s.getHashedSubPackets().getSignatureExpirationTime();
            if (System.currentTimeMillis() / 1000 > expiry) {
                throw invalid("Signature expired on " + java.time.Instant.ofEpochSecond(expiry));
            }
        }
        if (key.getValidSeconds() > 0 && s.getCreationTime().getTime() / 1000
                > key.getCreationTime().getTime() / 1000 + key.getValidSeconds()) {
            throw invalid("signature error: openpgp: key expired");
        }
        if (key.hasRevocation()) {
            throw invalid("signature error: openpgp: key revoked");
        }
        return new Verified(p.content, fingerprint(ring.getPublicKey()), fingerprint(key));
    }

    static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

    static Iterator<PGPPublicKey> keys(PGPPublicKeyRing r) {
        return r.getPublicKeys();
    }
}
