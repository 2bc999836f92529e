package dev.kopi.internal.http;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/** HTTP/1.1 message framing: request heads out, response heads in. */
final class Wire {
    /** The most header bytes accepted in one response head. */
    static final int MAX_HEAD_BYTES = 1 << 20;

    private Wire() {
    }

    /** A parsed status line and header block. */
    record ResponseHead(int minorVersion, int status, String reason, Headers headers) {
    }

    /** The origin-form target ({@code /path?query}), in ASCII with escapes kept. */
    static String originForm(URI uri) {
        URI ascii = URI.create(uri.toASCIIString());
        String path = ascii.getRawPath();
        if (path == null || path.isEmpty()) {
            path = "/";
        }
        return ascii.getRawQuery() == null ? path : path + "?" + ascii.getRawQuery();
    }

    /** The absolute-form target for a proxy: {@code http://host:port/path?query}, without user info. */
    static String absoluteForm(URI uri) {
        return uri.getScheme().toLowerCase(java.util.Locale.ROOT) + "://" + hostHeader(uri) + originForm(uri);
    }

    /** The {@code Host} value: the URI's authority as written, without user info. */
    static String hostHeader(URI uri) {
        String host = URI.create(uri.toASCIIString()).getHost();
        return uri.getPort() == -1 ? host : host + ":" + uri.getPort();
    }

    /** Appends a header line. */
    static void line(StringBuilder sb, String name, String value) {
        sb.append(name).append(": ").append(value).append("\r\n");
    }

    static byte[] bytes(StringBuilder head) {
        return head.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * Reads a response head, skipping interim 1xx responses (except 101, which is returned). Marks the
     * connection as having started its response at the first byte. EOF before any byte is Go's {@code EOF}.
     */
    static ResponseHead readResponseHead(Connection c) throws IOException {
        while (true) {
            ResponseHead h = readOneHead(c.in, () -> c.responseStarted = true);
            if (h.status >= 200 || h.status == 101) {
                return h;
            }
        }
    }

    /** Reads one status line and header block from {@code in}. */
    static ResponseHead readOneHead(InputStream in, Runnable onFirstByte) throws IOException {
        int[] budget = {MAX_HEAD_BYTES};
        int first = in.read();
        if (first < 0) {
            throw new WireException(HttpException.Kind.CONNECTION, "EOF");
        }
        onFirstByte.run();
        String status = readLine(in, first, budget);
        if (status == null) {
            throw new WireException(HttpException.Kind.CONNECTION, "unexpected EOF");
        }
        ResponseHead parsed = parseStatusLine(status);
        Headers.Builder headers = Headers.builder();
        String prevName = null;
        StringBuilder prevValue = null;
        while (true) {
            String line = readLine(in, -2, budget);
            if (line == null) {
                throw new WireException(HttpException.Kind.CONNECTION, "unexpected EOF");
            }
            if (line.isEmpty()) {
                break;
            }
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                if (prevName == null) {
                    throw malformedHeader(line);
                }
                prevValue.append(' ').append(line.strip());
                continue;
            }
            if (prevName != null) {
                headers.addReceived(prevName, prevValue.toString().strip());
            }
            int colon = line.indexOf(':');
            if (colon <= 0 || !Headers.isToken(line.substring(0, colon))) {
                throw malformedHeader(line);
            }
            prevName = line.substring(0, colon);
            prevValue = new StringBuilder(line.substring(colon + 1));
        }
        if (prevName != null) {
            headers.addReceived(prevName, prevValue.toString().strip());
        }
        return new ResponseHead(parsed.minorVersion, parsed.status, parsed.reason, headers.build());
    }

    private static WireException malformedHeader(String line) {
        return new WireException(HttpException.Kind.PROTOCOL,
                "net/http: HTTP/1.x transport connection broken: malformed MIME header line: " + line);
    }

    /** {@code HTTP/1.1 404 Not Found}; the reason may be absent. */
    static ResponseHead parseStatusLine(String line) throws WireException {
        WireException bad = new WireException(HttpException.Kind.PROTOCOL,
                "net/http: HTTP/1.x transport connection broken: malformed HTTP response "
                        + HttpException.goQuote(line.length() > 200 ? line.substring(0, 200) : line));
        if (!line.startsWith("HTTP/1.") || line.length() < 12 || line.charAt(8) != ' ') {
            throw bad;
        }
        char minor = line.charAt(7);
        if (minor < '0' || minor > '9') {
            throw bad;
        }
        int status = 0;
        for (int i = 9; i < 12; i++) {
            char c = line.charAt(i);
            if (c < '0' || c > '9') {
                throw bad;
            }
            status = status * 10 + (c - '0');
        }
        if (status < 100) {
            throw bad;
        }
        String reason = "";
        if (line.length() > 12) {
            if (line.charAt(12) != ' ') {
                throw bad;
            }
            reason = line.substring(13).strip();
        }
        return new ResponseHead(minor - '0', status, reason, Headers.empty());
    }

    /**
     * Reads one line ending in LF (CR before it dropped) as ISO-8859-1. {@code first} is an already-read byte,
     * or -2. Returns null at EOF before any byte; EOF inside a line is {@link EOFException}.
     */
    static String readLine(InputStream in, int first, int[] budget) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(64);
        int b = first == -2 ? in.read() : first;
        if (b < 0) {
            return null;
        }
        while (b != '\n') {
            if (b < 0) {
                throw new EOFException();
            }
            if (--budget[0] < 0) {
                throw new WireException(HttpException.Kind.PROTOCOL,
                        "net/http: server response headers exceeded " + MAX_HEAD_BYTES + " bytes; aborted");
            }
            buf.write(b);
            b = in.read();
        }
        byte[] bytes = buf.toByteArray();
        int len = bytes.length;
        if (len > 0 && bytes[len - 1] == '\r') {
            len--;
        }
        return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
    }
}
