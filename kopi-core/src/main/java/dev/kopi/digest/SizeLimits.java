package dev.kopi.digest;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/** Hard caps for small documents read from untrusted sources (the values of containers/image's iolimits). */
public final class SizeLimits {
    public static final int MANIFEST = 4 << 20;
    public static final int CONFIG = 4 << 20;
    public static final int SIGNATURE = 4 << 20;
    public static final int ERROR_BODY = 1 << 20;
    /** docker-archive manifest.json / repositories, index.json of an OCI layout. */
    public static final int TARBALL_JSON = 20 << 20;

    private SizeLimits() {
    }

    /** Reads the whole stream, failing when it holds more than {@code limit} bytes. */
    public static byte[] readAtMost(InputStream in, int limit, String what) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(limit, 16384));
        byte[] buf = new byte[16384];
        long total = 0;
        int n;
        while ((n = in.read(buf)) >= 0) {
            total += n;
            if (total > limit) {
                throw new ImageException(ErrorCode.INVALID_INPUT,
                        "exceeded maximum allowed size of " + limit + " bytes while reading " + what);
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }
}
