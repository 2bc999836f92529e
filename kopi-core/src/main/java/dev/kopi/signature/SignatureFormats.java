package dev.kopi.signature;

import dev.kopi.error.ImageException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The kinds of containers/image signature blobs ({@code internal/signature.FromBlob}): raw OpenPGP bytes are a
 * simple signature; a NUL byte starts a named format ({@code simple-signing}, {@code sigstore-json}).
 */
public final class SignatureFormats {
    /** The format name of simple signing. */
    public static final String SIMPLE_SIGNING = "simple-signing";
    /** The format name of sigstore signatures. */
    public static final String SIGSTORE = "sigstore-json";
    /** The MIME type of a sigstore signature attachment (anything else is another kind of attachment). */
    public static final String SIGSTORE_SIGNATURE_MIME_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json";

    private SignatureFormats() {
    }

    /** A blob split into its format and its content. */
    public record Parsed(String format, byte[] chunk) {
    }

    /** Splits a blob, with containers/image's error texts for unknown formats. */
    public static Parsed parse(Signature s) throws ImageException {
        byte[] blob = s.blob();
        if (blob.length == 0) {
            throw ImageException.invalid("empty signature blob");
        }
        int b = blob[0] & 0xff;
        switch (b) {
            case 0xA0, 0xA1, 0xA2, 0xA3, 0xC8, 0x90, 0x91, 0x92, 0x3d, 0xC4, 0x88, 0x89, 0x8A, 0x8B, 0xC2:
                return new Parsed(SIMPLE_SIGNING, blob);
            case 0:
                int nl = -1;
                for (int i = 1; i < blob.length; i++) {
                    if (blob[i] == '\n') {
                        nl = i;
                        break;
                    }
                }
                if (nl < 0) {
                    throw ImageException.invalid("invalid signature format, missing newline");
                }
                for (int i = 1; i < nl; i++) {
                    int c = blob[i] & 0xff;
                    if (c < 32 || c >= 0x7f) {
                        throw ImageException.invalid("invalid signature format, non-ASCII byte 0x"
                                + Integer.toHexString(c));
                    }
                }
                String format = new String(blob, 1, nl - 1, StandardCharsets.US_ASCII);
                byte[] chunk = Arrays.copyOfRange(blob, nl + 1, blob.length);
                if (format.equals(SIMPLE_SIGNING) || format.equals(SIGSTORE)) {
                    return new Parsed(format, chunk);
                }
                throw ImageException.invalid("unrecognized signature format " + dev.kopi.internal.go.GoStrconv.quote(format));
            default:
                throw ImageException.invalid("unrecognized signature format, starting with binary 0x"
                        + Integer.toHexString(b));
        }
    }
}
