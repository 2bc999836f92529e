package dev.kopi.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.internal.go.GoStrconv;
import dev.kopi.json.GoJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A Docker credential helper: the program {@code docker-credential-NAME} found on the $PATH of an {@link Env},
 * spoken to as docker-credential-helpers' client does. {@code get}, {@code erase} read the server URL on stdin;
 * {@code store} reads {@code {"ServerURL","Username","Secret"}} JSON; {@code list} prints a JSON map of server URL
 * to user name. A failing helper exits non-zero and prints its error on stdout; its stderr is passed through.
 * Errors carry that library's texts ({@code error getting credentials - err: exit status 1, out: `...`}), which
 * name the helper program when it cannot be run.
 */
public final class CredentialHelper {
    /** What a helper prints when it has no credentials for the server. */
    public static final String NOT_FOUND_MESSAGE = "credentials not found in native keychain";
    /** The user name under which helpers return an identity token. */
    public static final String TOKEN_USERNAME = "<token>";
    /** How long a helper may run before it is killed (the Go client waits forever; a hung helper is a bug). */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final String name;
    private final Env env;
    private final Duration timeout;

    public CredentialHelper(String name, Env env) {
        this(name, env, DEFAULT_TIMEOUT);
    }

    public CredentialHelper(String name, Env env, Duration timeout) {
        this.name = name;
        this.env = env;
        this.timeout = timeout;
    }

    /** The helper's name (without {@code docker-credential-}). */
    public String name() {
        return name;
    }

    /** The program name, {@code docker-credential-NAME}. */
    public String program() {
        return "docker-credential-" + name;
    }

    /** Thrown when the helper program is not on $PATH (Go's {@code exec.ErrNotFound}). */
    public static final class HelperNotFoundException extends ImageException {
        private static final long serialVersionUID = 1L;

        HelperNotFoundException(String message) {
            super(ErrorCode.IO, message);
        }
    }

    /**
     * {@code get}: the credentials for {@code serverUrl}, empty when the helper has none ("credentials not found
     * in native keychain"). A user name of {@code <token>} means the secret is an identity token.
     */
    public Optional<Credentials> get(String serverUrl) throws ImageException {
        Result r = run("get", serverUrl.getBytes(StandardCharsets.UTF_8), "getting");
        if (!r.ok()) {
            if (NOT_FOUND_MESSAGE.equals(r.out())) {
                return Optional.empty();
            }
            throw r.failure("getting");
        }
        JsonNode n = decodeJson(r.stdout());
        String user = text(n, "Username");
        String secret = text(n, "Secret");
        if (TOKEN_USERNAME.equals(user)) {
            return Optional.of(Credentials.token(secret));
        }
        return Optional.of(Credentials.basic(user, secret));
    }

    /** {@code store}: saves user name and secret for {@code serverUrl}. */
    public void store(String serverUrl, String username, String secret) throws ImageException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ServerURL", serverUrl);
        m.put("Username", username);
        m.put("Secret", secret);
        byte[] in = (new String(GoJson.marshal(m), StandardCharsets.UTF_8) + "\n").getBytes(StandardCharsets.UTF_8);
        Result r = run("store", in, "storing");
        if (!r.ok()) {
            throw r.failure("storing");
        }
    }

    /**
     * {@code erase}: removes the credentials for {@code serverUrl}. A helper that had none fails with
     * {@link #NOT_FOUND_MESSAGE}; see {@link #isNotFound(ImageException)}.
     */
    public void erase(String serverUrl) throws ImageException {
        Result r = run("erase", serverUrl.getBytes(StandardCharsets.UTF_8), "erasing");
        if (!r.ok()) {
            throw r.failure("erasing");
        }
    }

    /** {@code list}: server URL → user name for everything the helper holds. */
    public Map<String, String> list() throws ImageException {
        Result r = run("list", "unused".getBytes(StandardCharsets.UTF_8), "listing");
        if (!r.ok()) {
            throw r.failure("listing");
        }
        JsonNode n = decodeJson(r.stdout());
        Map<String, String> res = new LinkedHashMap<>();
        if (n != null && n.isObject()) {
            n.fields().forEachRemaining(e -> res.put(e.getKey(), e.getValue().asText()));
        }
        return res;
    }

    /** True when {@code e} is a helper's "credentials not found" answer (from {@link #erase}). */
    public static boolean isNotFound(ImageException e) {
        return e instanceof HelperException he && NOT_FOUND_MESSAGE.equals(he.helperOutput);
    }

    /** A helper that ran and failed; the text follows docker-credential-helpers' client. */
    public static final class HelperException extends ImageException {
        private static final long serialVersionUID = 1L;
        private final String helperOutput;

        HelperException(String message, String helperOutput) {
            super(ErrorCode.IO, message);
            this.helperOutput = helperOutput;
        }

        /** What the helper printed on stdout, trimmed. */
        public String helperOutput() {
            return helperOutput;
        }
    }

    private record Result(int exit, byte[] stdout, String out, String err) {
        boolean ok() {
            return exit == 0 && err == null;
        }

        ImageException failure(String verb) {
            // the client's special cases for malformed requests
            if ("no credentials server URL".equals(out) || "no credentials username".equals(out)) {
                return new HelperException(out, out);
            }
            String e = err != null ? err : "exit status " + exit;
            return new HelperException("error " + verb + " credentials - err: " + e + ", out: `" + out + "`", out);
        }
    }

    private Result run(String action, byte[] stdin, String verb) throws ImageException {
        Optional<Path> exe = env.findExecutable(program());
        if (exe.isEmpty()) {
            String msg = "exec: " + GoStrconv.quote(program()) + ": executable file not found in $PATH";
            throw new HelperNotFoundException("error " + verb + " credentials - err: " + msg + ", out: ``");
        }
        ProcessBuilder pb = new ProcessBuilder(List.of(exe.get().toString(), action));
        pb.environment().clear();
        pb.environment().putAll(env.asMap());
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            String msg = "fork/exec " + exe.get() + ": " + e.getMessage();
            return new Result(-1, new byte[0], "", msg);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread reader = new Thread(() -> {
            try (InputStream in = p.getInputStream()) {
                in.transferTo(out);
            } catch (IOException e) {
                // the process is gone; what was read stays
            }
        }, program() + "-stdout");
        reader.setDaemon(true);
        reader.start();
        try (OutputStream o = p.getOutputStream()) {
            o.write(stdin);
        } catch (IOException e) {
            // the helper did not read its input; its exit status tells
        }
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                reader.join(1000);
                String o = out.toString(StandardCharsets.UTF_8).strip();
                return new Result(-1, out.toByteArray(), o,
                        program() + " " + action + " timed out after " + timeout.toSeconds() + "s");
            }
            reader.join(timeout.toMillis());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new ImageException(ErrorCode.IO, "running " + program() + " " + action + ": interrupted", e);
        }
        byte[] bytes = out.toByteArray();
        return new Result(p.exitValue(), bytes, new String(bytes, StandardCharsets.UTF_8).strip(), null);
    }

    private JsonNode decodeJson(byte[] out) throws ImageException {
        if (new String(out, StandardCharsets.UTF_8).isBlank()) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "EOF"); // Go's json.Decoder on no input
        }
        String syntax = GoJsonSyntax.check(out);
        if (syntax != null) {
            throw new ImageException(ErrorCode.INVALID_INPUT, syntax);
        }
        try {
            return JSON.readTree(out);
        } catch (IOException e) {
            throw new ImageException(ErrorCode.INVALID_INPUT, String.valueOf(e.getMessage()), e);
        }
    }

    private static String text(JsonNode n, String field) {
        if (n == null || !n.isObject()) {
            return "";
        }
        for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) n::fields) {
            if (e.getKey().equalsIgnoreCase(field) && e.getValue().isTextual()) {
                return e.getValue().textValue();
            }
        }
        return "";
    }

    @Override
    public String toString() {
        return program();
    }
}
