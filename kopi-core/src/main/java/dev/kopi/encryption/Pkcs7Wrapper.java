package dev.kopi.encryption;

import java.io.IOException;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.List;
import org.bouncycastle.cms.CMSAlgorithm;
import org.bouncycastle.cms.CMSEnvelopedData;
import org.bouncycastle.cms.CMSEnvelopedDataGenerator;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.RecipientInformation;
import org.bouncycastle.cms.jcajce.JceCMSContentEncryptorBuilder;
import org.bouncycastle.cms.jcajce.JceKeyTransEnvelopedRecipient;
import org.bouncycastle.cms.jcajce.JceKeyTransRecipientId;
import org.bouncycastle.cms.jcajce.JceKeyTransRecipientInfoGenerator;

/**
 * The {@code pkcs7} key wrapper: the private options as CMS (PKCS#7) enveloped data with AES-128-GCM content
 * encryption, the key transported to each X.509 certificate's RSA key, as ocicrypt writes it with smallstep's
 * pkcs7 package. Decryption needs the certificate and its private key (both given with {@code --decryption-key}).
 */
final class Pkcs7Wrapper {
    static final String ANNOTATION = "org.opencontainers.image.enc.keys.pkcs7";

    /** Bouncy Castle's provider, used for these calls only (not installed in the JVM). */
    private static final java.security.Provider BC = new org.bouncycastle.jce.provider.BouncyCastleProvider();

    private Pkcs7Wrapper() {
    }

    static byte[] wrap(List<X509Certificate> certs, byte[] plaintext) throws IOException {
        try {
            CMSEnvelopedDataGenerator gen = new CMSEnvelopedDataGenerator();
            for (X509Certificate c : certs) {
                gen.addRecipientInfoGenerator(new JceKeyTransRecipientInfoGenerator(c).setProvider(BC));
            }
            CMSEnvelopedData data = gen.generate(new CMSProcessableByteArray(plaintext),
                    new JceCMSContentEncryptorBuilder(CMSAlgorithm.AES128_GCM).setProvider(BC).build());
            // DER (definite lengths, a primitive encrypted-content OCTET STRING), which Go's pkcs7 parsers read
            return data.toASN1Structure().getEncoded(org.bouncycastle.asn1.ASN1Encoding.DER);
        } catch (CMSException | CertificateEncodingException e) {
            throw new IOException("PKCS7 encryption failed: " + e.getMessage(), e);
        }
    }

    static byte[] unwrap(byte[] packet, List<X509Certificate> certs, List<PrivateKey> keys) throws IOException {
        if (keys.isEmpty()) {
            throw new IOException("no private keys found for PKCS7 decryption");
        }
        if (certs.isEmpty()) {
            throw new IOException("no x509 certificates found needed for PKCS7 decryption");
        }
        CMSEnvelopedData data;
        try {
            data = new CMSEnvelopedData(packet);
        } catch (CMSException e) {
            throw new IOException("could not parse PKCS7 packet: " + e.getMessage(), e);
        }
        Exception last = null;
        for (PrivateKey key : keys) {
            for (X509Certificate c : certs) {
                RecipientInformation ri = data.getRecipientInfos().get(new JceKeyTransRecipientId(c));
                if (ri == null) {
                    continue;
                }
                try {
                    return ri.getContent(new JceKeyTransEnvelopedRecipient(key).setProvider(BC));
                } catch (CMSException | RuntimeException e) {
                    last = e; // not this key (Bouncy Castle's RSA may fail with an unchecked exception)
                }
            }
        }
        throw new IOException("PKCS7: No suitable private key found for decryption", last);
    }
}
