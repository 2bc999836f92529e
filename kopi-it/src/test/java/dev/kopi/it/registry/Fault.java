package dev.kopi.it.registry;

import java.time.Duration;

/**
 * A fault {@link FaultProxy} injects into one matching request. Byte offsets count body bytes (after chunked
 * decoding); a negative offset means "half of the Content-Length" (0 when the length is not known). When a body is
 * shorter than the offset, the fault happens at its end.
 */
public sealed interface Fault {
    /** Longest stall allowed, so a test can never hang on one. */
    Duration MAX_STALL = Duration.ofSeconds(30);

    /** Answer {@code status} with a registry-style JSON error body instead of forwarding (the request body is read). */
    record Status(int status, String errorCode, String retryAfter) implements Fault {
    }

    /** Forward the response head and {@code afterBytes} of its body, then reset the connection (TCP RST). */
    record ResetResponse(long afterBytes) implements Fault {
    }

    /** Forward the response head and {@code afterBytes} of its body, then close the connection (FIN): a short read. */
    record TruncateResponse(long afterBytes) implements Fault {
    }

    /**
     * Advertise {@code Content-Length: length} (less than the real one), send that many body bytes and close: the
     * client sees a complete but short body.
     */
    record ShortContentLength(long length) implements Fault {
    }

    /** Forward everything, with the body byte at {@code offset} inverted (XOR 0xFF). */
    record FlipByte(long offset) implements Fault {
    }

    /** Forward the head and {@code afterBytes} of the body, pause for {@code pause}, then forward the rest. */
    record Stall(long afterBytes, Duration pause) implements Fault {
        public Stall {
            if (pause.compareTo(MAX_STALL) > 0) {
                throw new IllegalArgumentException("stalls are capped at " + MAX_STALL);
            }
        }
    }

    /** Forward the request head and {@code afterBytes} of the request body upstream, then reset the client. */
    record ResetRequest(long afterBytes) implements Fault {
    }

    /**
     * Forward the request head and {@code afterBytes} of the request body upstream, then kill the registry process
     * (SIGKILL) and restart it on the same port and storage ({@link RegistryServer#killAndRestart}), and reset the
     * client: a registry crash in the middle of an upload.
     */
    record KillUpstream(long afterBytes) implements Fault {
    }

    /**
     * Read the whole request body but forward none of it, as a gateway that buffers request bodies would, and answer
     * nothing until the client goes away or {@code pause} ends; then reset. The registry never sees the request.
     */
    record HoldRequest(Duration pause) implements Fault {
        public HoldRequest {
            if (pause.compareTo(MAX_STALL) > 0) {
                throw new IllegalArgumentException("holds are capped at " + MAX_STALL);
            }
        }
    }

    /** {@code status} (500, 502, 503, ...) with an {@code UNKNOWN}/{@code UNAVAILABLE} error body. */
    static Fault status(int status) {
        return new Status(status, status == 503 ? "UNAVAILABLE" : "UNKNOWN", null);
    }

    /** 429 with {@code Retry-After: <seconds>} and a {@code TOOMANYREQUESTS} error body. */
    static Fault tooManyRequests(int retryAfterSeconds) {
        return new Status(429, "TOOMANYREQUESTS", Integer.toString(retryAfterSeconds));
    }

    static Fault resetAfter(long bytes) {
        return new ResetResponse(bytes);
    }

    /** Reset in the middle of the body (half its Content-Length). */
    static Fault resetMidBody() {
        return new ResetResponse(-1);
    }

    static Fault truncateAfter(long bytes) {
        return new TruncateResponse(bytes);
    }

    /** Close half-way through the body, leaving the client short of the advertised length. */
    static Fault truncateMidBody() {
        return new TruncateResponse(-1);
    }

    /** Claim and send only half of the body. */
    static Fault shortContentLength() {
        return new ShortContentLength(-1);
    }

    static Fault flipByte(long offset) {
        return new FlipByte(offset);
    }

    /** Invert the middle byte of the body. */
    static Fault flipMiddleByte() {
        return new FlipByte(-1);
    }

    static Fault stall(long afterBytes, Duration pause) {
        return new Stall(afterBytes, pause);
    }

    static Fault resetRequestAfter(long bytes) {
        return new ResetRequest(bytes);
    }

    /** A short label for {@link Exchange#fault()}. */
    default String label() {
        return toString();
    }
}
