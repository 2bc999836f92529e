package dev.kopi.encryption;

import dev.kopi.error.ImageException;
import dev.kopi.manifest.Descriptor;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Set;

/**
 * What a copy asks of layer encryption (containers/image's decryption and encryption steps of its blob pipeline):
 * which layers to encrypt, and streams that decrypt a source layer before any (de)compression and encrypt the
 * layer as written after it. Built by {@link OciCrypt}.
 */
public interface LayerCrypto {
    /** Whether layers are encrypted: the destination manifest must then be OCI. */
    boolean encrypting();

    /**
     * The indices of the layers to encrypt out of {@code layerCount} (negative indices count from the end, no
     * index means all layers); empty when not encrypting.
     *
     * @throws ImageException {@code when choosing layers to encrypt, layer index N out of range (M layers exist)}
     */
    Set<Integer> layersToEncrypt(int layerCount) throws ImageException;

    /** Whether {@code layer} (an encrypted one, with keys to open it) is decrypted while copied. */
    boolean decrypts(Descriptor layer);

    /**
     * The plaintext of an encrypted layer. The layer key is unwrapped here, so a missing or wrong key fails before
     * anything is read; the returned stream fails at its end when the layer's HMAC does not match.
     *
     * @throws ImageException {@code decrypting layer DIGEST: ...}
     */
    InputStream decrypt(Descriptor layer, InputStream encrypted) throws IOException;

    /**
     * Starts encrypting a layer whose source descriptor is {@code source} (its digest goes into the private
     * options, as ocicrypt records it).
     */
    Encryption encrypt(Descriptor source, InputStream plain) throws IOException;

    /** A layer being encrypted. */
    interface Encryption {
        /** The ciphertext. */
        InputStream stream();

        /**
         * The {@code org.opencontainers.image.enc.*} annotations, once {@link #stream()} has been read to its end.
         *
         * @throws ImageException {@code Unable to finalize encryption: ...}
         */
        Map<String, String> finish() throws IOException;
    }
}
