package dev.kopi.it.parity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A client of the image proxy protocol ({@code experimental-image-proxy}), written for the tests from the protocol
 * description and independent of kopi's server code: it makes a SOCK_SEQPACKET socketpair, starts the proxy with
 * one end as its descriptor 3 ({@code posix_spawnp} with a dup2 file action, since Java's ProcessBuilder passes
 * no descriptors beyond 0-2), sends JSON requests, and receives replies with the pipe descriptors attached.
 */
final class ImageProxyClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int AF_UNIX = 1;
    private static final int SOCK_SEQPACKET = 5;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int O_WRONLY_CREAT_TRUNC = 01 | 0100 | 01000;
    private static final int MSG_CMSG_CLOEXEC = 0x40000000;

    /** The libc calls the client needs (LP64 Linux). */
    interface C extends Library {
        C LIB = Native.load("c", C.class);

        int socketpair(int domain, int type, int protocol, int[] sv) throws LastErrorException;

        int posix_spawn_file_actions_init(Pointer fa);

        int posix_spawn_file_actions_adddup2(Pointer fa, int fd, int newfd);

        int posix_spawn_file_actions_addopen(Pointer fa, int fd, String path, int oflag, int mode);

        int posix_spawn_file_actions_destroy(Pointer fa);

        int posix_spawnp(IntByReference pid, String file, Pointer fa, Pointer attr, String[] argv, String[] envp);

        int waitpid(int pid, IntByReference status, int options) throws LastErrorException;

        int kill(int pid, int sig);

        long write(int fd, byte[] buf, long n) throws LastErrorException;

        long read(int fd, byte[] buf, long n) throws LastErrorException;

        long recvmsg(int fd, Pointer msg, int flags) throws LastErrorException;

        int close(int fd);
    }

    /** One reply: the parsed JSON and the descriptors that came with it. */
    record Reply(JsonNode json, List<Integer> fds) {
        boolean success() {
            return json.path("success").asBoolean();
        }

        JsonNode value() {
            return json.path("value");
        }

        String error() {
            return json.path("error").asText();
        }
    }

    /** A call whose data came over a pipe: the reply value and the data. */
    record Piped(JsonNode value, byte[] data) {
    }

    /** A failed call. */
    static final class ProxyError extends IOException {
        private static final long serialVersionUID = 1L;

        ProxyError(String message) {
            super(message);
        }
    }

    private final int sock;
    private final int pid;
    private boolean sockClosed;
    private boolean reaped;

    private ImageProxyClient(int sock, int pid) {
        this.sock = sock;
        this.pid = pid;
    }

    /**
     * Starts {@code command} (which must end with {@code --sockfd 3}) with one end of a socketpair as its
     * descriptor 3 and stdout/stderr into {@code logs}.
     */
    static ImageProxyClient start(List<String> command, Map<String, String> env, Path logs) {
        int[] sv = new int[2];
        C.LIB.socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv);
        Memory fa = new Memory(1024);
        C.LIB.posix_spawn_file_actions_init(fa);
        C.LIB.posix_spawn_file_actions_addopen(fa, 0, "/dev/null", 0, 0);
        C.LIB.posix_spawn_file_actions_addopen(fa, 1, logs.resolve("proxy.out").toString(), O_WRONLY_CREAT_TRUNC,
                0644);
        C.LIB.posix_spawn_file_actions_addopen(fa, 2, logs.resolve("proxy.err").toString(), O_WRONLY_CREAT_TRUNC,
                0644);
        C.LIB.posix_spawn_file_actions_adddup2(fa, sv[1], 3);
        IntByReference pid = new IntByReference();
        String[] envp = env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toArray(String[]::new);
        int rc = C.LIB.posix_spawnp(pid, command.get(0), fa, null, command.toArray(String[]::new), envp);
        C.LIB.posix_spawn_file_actions_destroy(fa);
        C.LIB.close(sv[1]);
        if (rc != 0) {
            C.LIB.close(sv[0]);
            throw new IllegalStateException("posix_spawnp " + command + ": error " + rc);
        }
        return new ImageProxyClient(sv[0], pid.getValue());
    }

    /** Sends one request and returns the reply (failures included). */
    Reply call(String method, Object... args) throws IOException {
        ObjectNode req = JSON.createObjectNode();
        req.put("method", method);
        ArrayNode a = req.putArray("args");
        for (Object o : args) {
            a.addPOJO(o);
        }
        byte[] b = JSON.writeValueAsBytes(req);
        C.LIB.write(sock, b, b.length);
        Memory buf = new Memory(64 * 1024);
        Memory iov = new Memory(16);
        iov.setPointer(0, buf);
        iov.setLong(8, buf.size());
        Memory ctrl = new Memory(64);
        ctrl.clear();
        Memory msg = new Memory(56);
        msg.clear();
        msg.setPointer(16, iov);
        msg.setLong(24, 1);
        msg.setPointer(32, ctrl);
        msg.setLong(40, ctrl.size());
        long n = C.LIB.recvmsg(sock, msg, MSG_CMSG_CLOEXEC);
        if (n <= 0) {
            throw new IOException("the proxy closed the socket after " + method);
        }
        List<Integer> fds = new ArrayList<>();
        long clen = msg.getLong(40);
        if (clen >= 16) {
            long len = ctrl.getLong(0);
            for (long p = 16; p + 4 <= len; p += 4) {
                fds.add(ctrl.getInt(p));
            }
        }
        return new Reply(JSON.readTree(buf.getByteArray(0, (int) n)), fds);
    }

    /** A call that must succeed; returns its value. */
    JsonNode value(String method, Object... args) throws IOException {
        Reply r = call(method, args);
        closeAll(r.fds());
        if (!r.success()) {
            throw new ProxyError(r.error());
        }
        return r.value();
    }

    /** A call whose data comes over a pipe finished by FinishPipe. */
    Piped piped(String method, Object... args) throws IOException {
        Reply r = call(method, args);
        if (!r.success()) {
            closeAll(r.fds());
            throw new ProxyError(r.error());
        }
        int fd = r.fds().get(0);
        CompletableFuture<byte[]> data = CompletableFuture.supplyAsync(() -> readAll(fd));
        JsonNode done = call("FinishPipe", r.json().path("pipeid").asLong()).json();
        byte[] bytes = data.join();
        C.LIB.close(fd);
        if (!done.path("success").asBoolean()) {
            throw new ProxyError(done.path("error").asText());
        }
        return new Piped(r.value(), bytes);
    }

    /** GetRawBlob: data and error pipes, both read to their end. Returns the data; fails with the error JSON. */
    Piped rawBlob(long image, String digest) throws IOException {
        Reply r = call("GetRawBlob", image, digest);
        if (!r.success()) {
            closeAll(r.fds());
            throw new ProxyError(r.error());
        }
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(r.fds().get(1)));
        byte[] data = readAll(r.fds().get(0));
        byte[] e = err.join();
        closeAll(r.fds());
        if (e.length > 0) {
            throw new ProxyError(new String(e));
        }
        return new Piped(r.value(), data);
    }

    private static byte[] readAll(int fd) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        while (true) {
            long n = C.LIB.read(fd, buf, buf.length);
            if (n <= 0) {
                return out.toByteArray();
            }
            out.write(buf, 0, (int) n);
        }
    }

    private static void closeAll(List<Integer> fds) {
        for (int fd : fds) {
            C.LIB.close(fd);
        }
    }

    /** Sends Shutdown and waits for the proxy to exit; returns its exit code. */
    int shutdown() throws IOException {
        byte[] b = "{\"method\":\"Shutdown\",\"args\":[]}".getBytes();
        C.LIB.write(sock, b, b.length);
        return waitFor(60);
    }

    /** Closes our end (the proxy sees end of data) and waits; returns the exit code. */
    int closeAndWait() {
        closeSocket();
        return waitFor(60);
    }

    private int waitFor(int seconds) {
        IntByReference status = new IntByReference();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            int r = C.LIB.waitpid(pid, status, 1 /* WNOHANG */);
            if (r == pid) {
                reaped = true;
                int s = status.getValue();
                return (s & 0x7f) == 0 ? (s >> 8) & 0xff : 128 + (s & 0x7f);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        C.LIB.kill(pid, 9);
        C.LIB.waitpid(pid, status, 0);
        reaped = true;
        throw new IllegalStateException("the proxy did not exit within " + seconds + " s");
    }

    private void closeSocket() {
        if (!sockClosed) {
            sockClosed = true;
            C.LIB.close(sock);
        }
    }

    @Override
    public void close() {
        closeSocket();
        if (!reaped) {
            reaped = true;
            C.LIB.kill(pid, 9);
            C.LIB.waitpid(pid, new IntByReference(), 0);
        }
    }
}
