package dev.kopi.digest;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** A validated content digest, {@code algorithm:hex}. {@link #toString()} gives the canonical string. */
public record Digest(DigestAlgorithm algorithm, String hex) {
    private static final Pattern HEX = Pattern.compile("[a-f0-9]+");
    private static final Pattern ALGORITHM = Pattern.compile("[a-z0-9]+(?:[.+_-][a-z0-9]+)*");
    private static final Pattern UNKNOWN_ENCODED = Pattern.compile("[a-zA-Z0-9=_-]+");

    public Digest {
        if (algorithm == null || hex == null || hex.length() != algorithm.hexLength() || !HEX.matcher(hex).matches()) {
            throw new IllegalArgumentException("invalid " + algorithm + " digest hex " + hex);
        }
    }

    /**
     * Parses {@code alg:hex} with go-digest's rules and error texts.
     *
     * @throws ImageException INVALID_INPUT when the string is not a valid digest
     */
    public static Digest parse(String s) throws ImageException {
        int colon = s.indexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "invalid checksum digest format");
        }
        String alg = s.substring(0, colon);
        String hex = s.substring(colon + 1);
        if (!ALGORITHM.matcher(alg).matches()) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "invalid checksum digest format");
        }
        DigestAlgorithm a = DigestAlgorithm.byPrefix(alg).orElse(null);
        if (a == null) {
            // go-digest: an unknown algorithm is "unsupported" only when the whole digest is well-formed
            throw new ImageException(ErrorCode.INVALID_INPUT, UNKNOWN_ENCODED.matcher(hex).matches()
                    ? "unsupported digest algorithm" : "invalid checksum digest format");
        }
        if (hex.length() != a.hexLength()) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "invalid checksum digest length");
        }
        if (!HEX.matcher(hex).matches()) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "invalid checksum digest format");
        }
        return new Digest(a, hex);
    }

    /** Like {@link #parse} for strings that are known to be valid (tests, constants). */
    public static Digest of(String s) {
        try {
            return parse(s);
        } catch (ImageException e) {
            throw new IllegalArgumentException(s + ": " + e.getMessage(), e);
        }
    }

    public static Digest of(DigestAlgorithm algorithm, byte[] rawDigest) {
        return new Digest(algorithm, HexFormat.of().formatHex(rawDigest));
    }

    /** The sha256 digest of some bytes. */
    public static Digest sha256(byte[] data) {
        return compute(DigestAlgorithm.SHA256, data);
    }

    public static Digest compute(DigestAlgorithm algorithm, byte[] data) {
        return of(algorithm, algorithm.newMessageDigest().digest(data));
    }

    /** The hex part as the OCI layout names the blob file: {@code blobs/<alg>/<hex>}. */
    public String encoded() {
        return hex;
    }

    @Override
    public String toString() {
        return algorithm.prefix() + ":" + hex;
    }
}
