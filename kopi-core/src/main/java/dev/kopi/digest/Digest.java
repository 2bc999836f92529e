package dev.kopi.digest;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/** A validated content digest, {@code algorithm:hex}. {@link #toString()} gives the canonical string. */
public record Digest(DigestAlgorithm algorithm, String hex) {
    /** go-digest's {@code ErrDigestInvalidFormat}. */
    public static final String ERR_INVALID_FORMAT = "invalid checksum digest format";
    /** go-digest's {@code ErrDigestInvalidLength}. */
    public static final String ERR_INVALID_LENGTH = "invalid checksum digest length";
    /** go-digest's {@code ErrDigestUnsupported}. */
    public static final String ERR_UNSUPPORTED = "unsupported digest algorithm";
    private static final Pattern HEX = Pattern.compile("[a-f0-9]+");

    public Digest {
        if (algorithm == null || hex == null || hex.length() != algorithm.hexLength() || !HEX.matcher(hex).matches()) {
            throw new IllegalArgumentException("invalid " + algorithm + " digest hex " + hex);
        }
    }

    /**
     * Parses {@code alg:hex} with go-digest's rules and error texts (see {@link #validate}).
     *
     * @throws ImageException INVALID_INPUT when the string is not a valid digest
     */
    public static Digest parse(String s) throws ImageException {
        String err = validate(s);
        if (err != null) {
            throw new ImageException(ErrorCode.INVALID_INPUT, err);
        }
        int colon = s.indexOf(':');
        return new Digest(DigestAlgorithm.byPrefix(s.substring(0, colon)).orElseThrow(), s.substring(colon + 1));
    }

    /**
     * The error go-digest v1's {@code Parse} (its {@code Digest.Validate}) gives for {@code s}, or null when
     * {@code s} is a valid digest. containers/image uses it to tell digests from names and image IDs, so the
     * texts reach users: {@link #ERR_INVALID_FORMAT}, {@link #ERR_INVALID_LENGTH}, {@link #ERR_UNSUPPORTED}.
     */
    public static String validate(String s) {
        int i = s.indexOf(':');
        if (i <= 0 || i + 1 == s.length()) {
            return ERR_INVALID_FORMAT;
        }
        String algorithm = s.substring(0, i);
        String encoded = s.substring(i + 1);
        Optional<DigestAlgorithm> known = DigestAlgorithm.byPrefix(algorithm);
        if (known.isEmpty()) {
            return matchesDigestRegexp(algorithm, encoded) ? ERR_UNSUPPORTED : ERR_INVALID_FORMAT;
        }
        if (encoded.length() != known.get().hexLength()) {
            return ERR_INVALID_LENGTH;
        }
        for (int k = 0; k < encoded.length(); k++) {
            char c = encoded.charAt(k);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return ERR_INVALID_FORMAT;
            }
        }
        return null;
    }

    /** Whether go-digest's Parse accepts {@code s}. */
    public static boolean isValid(String s) {
        return validate(s) == null;
    }

    /**
     * go-digest's anchored DigestRegexp, {@code [a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+}, split at the first
     * ':'.
     */
    private static boolean matchesDigestRegexp(String algorithm, String encoded) {
        boolean componentStart = true;
        for (int k = 0; k < algorithm.length(); k++) {
            char c = algorithm.charAt(k);
            boolean alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
            if (alnum) {
                componentStart = false;
            } else if (!componentStart && (c == '.' || c == '+' || c == '_' || c == '-')) {
                componentStart = true;
            } else {
                return false;
            }
        }
        if (componentStart) {
            return false;
        }
        for (int k = 0; k < encoded.length(); k++) {
            char c = encoded.charAt(k);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '=' || c == '_'
                    || c == '-')) {
                return false;
            }
        }
        return true;
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
