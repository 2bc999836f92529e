package dev.kopi.config;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * PEM as Go's {@code encoding/pem} and {@code crypto/x509} read it, with the JDK only: blocks, certificates, and
 * private keys in PKCS#8 ({@code PRIVATE KEY}), PKCS#1 ({@code RSA PRIVATE KEY}) and SEC1 ({@code EC PRIVATE KEY})
 * form. PKCS#1 and SEC1 keys are wrapped into a PKCS#8 structure (a few bytes of DER) so that {@link KeyFactory}
 * can read them; like Go, the three forms are tried whatever the block's label says.
 */
public final class PemKeys {
    private static final byte[] OID_RSA = {0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01,
        0x01, 0x01};
    private static final byte[] OID_EC = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};
    /** Key algorithm OIDs (DER content) for PKCS#8 → JCA names. */
    private static final Map<String, String> PKCS8_ALGORITHMS = Map.of(
            "2a864886f70d010101", "RSA",
            "2a8648ce3d0201", "EC",
            "2b6570", "Ed25519",
            "2b6571", "Ed448");

    private PemKeys() {
    }

    /** A PEM block: its label and DER bytes. */
    public record Block(String type, byte[] bytes) {
    }

    /** All PEM blocks of {@code text}, in order; text outside blocks and malformed blocks are skipped. */
    public static List<Block> blocks(byte[] data) {
        String text = new String(data, StandardCharsets.ISO_8859_1);
        List<Block> res = new ArrayList<>();
        int pos = 0;
        while (true) {
            int begin = text.indexOf("-----BEGIN ", pos);
            if (begin < 0) {
                return res;
            }
            int typeEnd = text.indexOf("-----", begin + 11);
            if (typeEnd < 0) {
                return res;
            }
            String type = text.substring(begin + 11, typeEnd);
            String endMarker = "-----END " + type + "-----";
            int end = text.indexOf(endMarker, typeEnd + 5);
            if (end < 0 || type.contains("\n")) {
                pos = typeEnd + 5;
                continue;
            }
            String body = text.substring(typeEnd + 5, end);
            StringBuilder b64 = new StringBuilder();
            boolean headers = body.contains(":");
            for (String line : body.split("\r?\n")) {
                if (headers && line.contains(":")) {
                    continue; // RFC 1421 headers (Proc-Type, DEK-Info)
                }
                b64.append(line.strip());
            }
            pos = end + endMarker.length();
            try {
                res.add(new Block(type, Base64.getDecoder().decode(b64.toString())));
            } catch (IllegalArgumentException e) {
                // not a block Go would decode: skip
            }
        }
    }

    /** Every {@code CERTIFICATE} block that parses (Go's CertPool.AppendCertsFromPEM skips the others). */
    public static List<X509Certificate> certificates(byte[] pem) {
        List<X509Certificate> res = new ArrayList<>();
        for (Block b : blocks(pem)) {
            if (!b.type().equals("CERTIFICATE")) {
                continue;
            }
            try {
                res.add(parseCertificate(b.bytes()));
            } catch (GeneralSecurityException e) {
                // skipped, as Go does
            }
        }
        return res;
    }

    /** One DER certificate. */
    public static X509Certificate parseCertificate(byte[] der) throws GeneralSecurityException {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der));
    }

    /**
     * A DER private key in PKCS#1 (RSA), PKCS#8 (RSA, EC, Ed25519, Ed448) or SEC1 (EC) form (Go's
     * {@code tls.parsePrivateKey} order), or throws.
     */
    public static PrivateKey parsePrivateKey(byte[] der) throws GeneralSecurityException {
        try {
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs1ToPkcs8(der)));
        } catch (GeneralSecurityException | RuntimeException e) {
            // not PKCS#1
        }
        try {
            String alg = pkcs8Algorithm(der);
            if (alg != null) {
                return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
            }
        } catch (GeneralSecurityException | RuntimeException e) {
            // not PKCS#8
        }
        try {
            return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(sec1ToPkcs8(der)));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new GeneralSecurityException("tls: failed to parse private key", e);
        }
    }

    // ---- DER ----

    /** A minimal DER reader: one TLV at a time. */
    private static final class Der {
        final byte[] b;
        int pos;

        Der(byte[] b, int pos) {
            this.b = b;
            this.pos = pos;
        }

        int tag;
        int start;
        int len;

        /** Reads the next TLV header; the content is b[start, start+len). */
        void next() {
            tag = b[pos++] & 0xff;
            int l = b[pos++] & 0xff;
            if (l >= 0x80) {
                int n = l & 0x7f;
                if (n == 0 || n > 4) {
                    throw new IllegalArgumentException("bad DER length");
                }
                l = 0;
                for (int i = 0; i < n; i++) {
                    l = (l << 8) | (b[pos++] & 0xff);
                }
            }
            if (l < 0 || pos + l > b.length) {
                throw new IllegalArgumentException("DER overruns its input");
            }
            start = pos;
            len = l;
        }

        void skip() {
            pos = start + len;
        }

        void enter() {
            pos = start;
        }
    }

    private static byte[] tlv(int tag, byte[]... parts) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            content.writeBytes(p);
        }
        int n = content.size();
        ByteArrayOutputStream out = new ByteArrayOutputStream(n + 6);
        out.write(tag);
        if (n < 0x80) {
            out.write(n);
        } else if (n < 0x100) {
            out.write(0x81);
            out.write(n);
        } else if (n < 0x10000) {
            out.write(0x82);
            out.write(n >> 8);
            out.write(n);
        } else {
            out.write(0x83);
            out.write(n >> 16);
            out.write(n >> 8);
            out.write(n);
        }
        out.writeBytes(content.toByteArray());
        return out.toByteArray();
    }

    private static final byte[] VERSION_0 = {0x02, 0x01, 0x00};
    private static final byte[] NULL = {0x05, 0x00};

    /** Checks that {@code der} is one whole SEQUENCE and returns a reader positioned inside it. */
    private static Der sequence(byte[] der) {
        Der d = new Der(der, 0);
        d.next();
        if (d.tag != 0x30 || d.start + d.len != der.length) {
            throw new IllegalArgumentException("not a DER SEQUENCE");
        }
        d.enter();
        return d;
    }

    /** PKCS#1 RSAPrivateKey (version 0 and nine INTEGERs) wrapped as PKCS#8 PrivateKeyInfo. */
    static byte[] pkcs1ToPkcs8(byte[] der) {
        Der d = sequence(der);
        for (int i = 0; i < 9; i++) {
            d.next();
            if (d.tag != 0x02) {
                throw new IllegalArgumentException("not PKCS#1");
            }
            d.skip();
        }
        return tlv(0x30, VERSION_0, tlv(0x30, OID_RSA, NULL), tlv(0x04, der));
    }

    /** The JCA algorithm of a PKCS#8 PrivateKeyInfo, or null when {@code der} is not one. */
    static String pkcs8Algorithm(byte[] der) {
        Der d = sequence(der);
        d.next(); // version
        if (d.tag != 0x02) {
            return null;
        }
        d.skip();
        d.next(); // AlgorithmIdentifier
        if (d.tag != 0x30) {
            return null;
        }
        d.enter();
        d.next();
        if (d.tag != 0x06) {
            return null;
        }
        StringBuilder hex = new StringBuilder();
        for (int i = d.start; i < d.start + d.len; i++) {
            hex.append(String.format("%02x", der[i] & 0xff));
        }
        return PKCS8_ALGORITHMS.get(hex.toString());
    }

    /** SEC1 ECPrivateKey (version 1, key, [0] curve OID, [1] public key) wrapped as PKCS#8 PrivateKeyInfo. */
    static byte[] sec1ToPkcs8(byte[] der) {
        Der d = sequence(der);
        d.next();
        if (d.tag != 0x02 || d.len != 1 || der[d.start] != 1) {
            throw new IllegalArgumentException("not SEC1");
        }
        d.skip();
        d.next();
        if (d.tag != 0x04) {
            throw new IllegalArgumentException("not SEC1");
        }
        d.skip();
        byte[] curve = null;
        while (d.pos < der.length) {
            d.next();
            if (d.tag == 0xa0) {
                Der inner = new Der(der, d.start);
                inner.next();
                if (inner.tag == 0x06) {
                    curve = java.util.Arrays.copyOfRange(der, d.start, inner.start + inner.len);
                }
            }
            d.skip();
        }
        if (curve == null) {
            throw new IllegalArgumentException("SEC1 key without a named curve");
        }
        return tlv(0x30, VERSION_0, tlv(0x30, OID_EC, curve), tlv(0x04, der));
    }
}
