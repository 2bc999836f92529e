/**
 * Layer encryption as containers/ocicrypt does it (skopeo's {@code copy --encryption-key}, {@code --encrypt-layer},
 * {@code --decryption-key}): each layer is encrypted with its own random AES-256 key in CTR mode and authenticated
 * with HMAC-SHA256 ({@link dev.kopi.encryption.AesCtrHmac}); that key and the layer's digest (the "private options")
 * are wrapped for each recipient with JWE (RSA-OAEP), OpenPGP or PKCS#7 and stored, with the public options (cipher
 * and HMAC), in the layer's {@code org.opencontainers.image.enc.*} annotations; the media type gets
 * {@code +encrypted}. The cryptography is the JDK's (AES, HMAC, RSA-OAEP, AES-GCM) and Bouncy Castle's (PEM keys,
 * OpenPGP, CMS); nothing is hand-rolled. {@link dev.kopi.encryption.LayerCrypto} is the copy's hook.
 */
package dev.kopi.encryption;
