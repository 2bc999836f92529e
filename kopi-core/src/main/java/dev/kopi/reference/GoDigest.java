package dev.kopi.reference;

/**
 * The validity rules and error texts of go-digest v1.0.0's {@code digest.Parse}, which containers/image uses to
 * tell digests from names and image IDs. Unlike {@link dev.kopi.digest.Digest#parse} it knows every algorithm
 * go-digest registers in skopeo (sha256, sha384, sha512), so that a {@code sha384:...} string is classified as a
 * digest exactly as skopeo does even though kopi cannot compute one.
 */
public final class GoDigest {
    /** go-digest's {@code ErrDigestInvalidFormat}. */
    public static final String ERR_INVALID_FORMAT = "invalid checksum digest format";
    /** go-digest's {@code ErrDigestInvalidLength}. */
    public static final String ERR_INVALID_LENGTH = "invalid checksum digest length";
    /** go-digest's {@code ErrDigestUnsupported}. */
    public static final String ERR_UNSUPPORTED = "unsupported digest algorithm";

    private GoDigest() {
    }

    /** The error go-digest's Parse gives for {@code s}, or null when {@code s} is a valid digest. */
    public static String validate(String s) {
        int i = s.indexOf(':');
        if (i <= 0 || i + 1 == s.length()) {
            return ERR_INVALID_FORMAT;
        }
        String algorithm = s.substring(0, i);
        String encoded = s.substring(i + 1);
        int hexLength;
        switch (algorithm) {
            case "sha256" -> hexLength = 64;
            case "sha384" -> hexLength = 96;
            case "sha512" -> hexLength = 128;
            default -> {
                return matchesDigestRegexp(algorithm, encoded) ? ERR_UNSUPPORTED : ERR_INVALID_FORMAT;
            }
        }
        if (encoded.length() != hexLength) {
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

    /** go-digest's anchored DigestRegexp, {@code [a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+}, split at the first ':'. */
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

    /** Whether go-digest's Parse accepts {@code s}. */
    public static boolean isValid(String s) {
        return validate(s) == null;
    }
}
