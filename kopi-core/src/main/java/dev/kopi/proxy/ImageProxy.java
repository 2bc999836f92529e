package dev.kopi.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kopi.blob.BlobInfo;
import dev.kopi.blob.BlobStream;
import dev.kopi.blob.Compression;
import dev.kopi.digest.Digest;
import dev.kopi.digest.DigestingInputStream;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.image.ImageConfigs;
import dev.kopi.image.ImageInspector;
import dev.kopi.image.RawManifest;
import dev.kopi.image.UnparsedImage;
import dev.kopi.internal.unix.UnixFds;
import dev.kopi.json.GoJson;
import dev.kopi.log.Log;
import dev.kopi.manifest.Descriptor;
import dev.kopi.manifest.ImageManifest;
import dev.kopi.manifest.Manifests;
import dev.kopi.manifest.MediaTypes;
import dev.kopi.manifest.OciManifest;
import dev.kopi.manifest.Schema2Manifest;
import dev.kopi.policy.PolicyContext;
import dev.kopi.transport.ImageContext;
import dev.kopi.transport.ImageReference;
import dev.kopi.transport.ImageSource;
import dev.kopi.transport.Transports;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * skopeo's {@code experimental-image-proxy}: the JSON-over-socketpair protocol (version {@value #PROTOCOL_VERSION})
 * that bootc, rpm-ostree and containers-image-proxy-rs drive. Each request is one SOCK_SEQPACKET message
 * {@code {"method": M, "args": [...]}}; each reply is one message {@code {"success", "value", "pipeid",
 * "error_code", "error"}}, with the read end of a pipe attached (SCM_RIGHTS) when data follows: the data of
 * {@code GetManifest}, {@code GetConfig}, {@code GetFullConfig}, {@code GetBlob} and {@code GetLayerInfoPiped}
 * arrives on that pipe and ends when the client calls {@code FinishPipe}; {@code GetRawBlob} attaches a data pipe
 * and an error pipe, both closed when the blob has been sent. Requests are served one at a time; the data is
 * written by worker threads so the client can read while it sends the next request.
 */
public final class ImageProxy implements AutoCloseable {
    /** The protocol version {@code Initialize} answers. */
    public static final String PROTOCOL_VERSION = "0.2.8";
    /** The largest request (one socket message). */
    public static final int MAX_MESSAGE = 32 * 1024;
    private static final double MAX_JSON_FLOAT = (double) ((1L << 53) - 1);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Loads the trust policy when an image is opened (skopeo reads it for every OpenImage). */
    @FunctionalInterface
    public interface PolicyLoader {
        PolicyContext load() throws IOException;
    }

    private final ImageContext context;
    private final PolicyLoader policy;
    private boolean initialized;
    private long imageSerial;
    private final Map<Long, OpenImage> images = new LinkedHashMap<>();
    private final Map<Integer, ActivePipe> pipes = new HashMap<>();

    private static final class OpenImage {
        final long id;
        final ImageSource src;
        ImageInspector.ResolvedImage cached;

        OpenImage(long id, ImageSource src) {
            this.id = id;
            this.src = src;
        }
    }

    private static final class ActivePipe {
        final int w;
        Thread worker;
        volatile String error;

        ActivePipe(int w) {
            this.w = w;
        }
    }

    /** A failed call: the message the client gets, and its error code ({@code EPIPE}, {@code retryable}, ...). */
    private static final class CallException extends Exception {
        private static final long serialVersionUID = 1L;
        final String code;

        CallException(String message) {
            this(message, "other");
        }

        CallException(String message, String code) {
            super(message, null, false, false);
            this.code = code;
        }
    }

    /** A reply: the value, plus the descriptors to attach (closed here once sent). */
    private record Reply(Object value, int fd, int errFd, int pipeId) {
        static Reply of(Object value) {
            return new Reply(value, -1, -1, 0);
        }
    }

    public ImageProxy(ImageContext context, PolicyLoader policy) {
        this.context = context;
        this.policy = policy;
    }

    /**
     * Serves requests on {@code sockFd} until the client closes its end or sends {@code Shutdown}.
     *
     * @throws ImageException when the socket cannot be read or written
     */
    public void serve(int sockFd) throws IOException {
        UnixFds.requireSupported();
        byte[] buf = new byte[MAX_MESSAGE];
        while (true) {
            int n;
            try {
                n = UnixFds.read(sockFd, buf);
            } catch (UnixFds.ErrnoException e) {
                throw new ImageException(ErrorCode.IO, "reading socket: read sock: " + e.reason(), e);
            }
            if (n == 0) {
                return;
            }
            byte[] request = java.util.Arrays.copyOf(buf, n);
            String method = null;
            Reply reply = Reply.of(null);
            CallException failure = null;
            try {
                JsonNode req = parseRequest(request);
                method = req.path("method").isTextual() ? req.path("method").asText() : "";
                JsonNode a = req.get("args");
                List<JsonNode> args = new ArrayList<>();
                if (a != null && a.isArray()) {
                    a.forEach(args::add);
                }
                String m = method;
                Log.debug(() -> "Executing method " + m);
                if (method.equals("Shutdown")) {
                    Log.debug(() -> "terminating");
                    return;
                }
                reply = dispatch(method, args);
            } catch (CallException e) {
                failure = e;
            }
            send(sockFd, reply, failure);
        }
    }

    private static JsonNode parseRequest(byte[] request) throws CallException {
        try {
            JsonNode n = JSON.readTree(request);
            if (n == null || !n.isObject()) {
                throw new CallException("invalid request: json: cannot unmarshal "
                        + (n == null ? "end of input" : goJsonKind(n)) + " into Go value of type main.request");
            }
            return n;
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new CallException("invalid request: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new CallException("invalid request: " + e.getMessage());
        }
    }

    private Reply dispatch(String method, List<JsonNode> args) throws CallException {
        switch (method) {
            case "Initialize":
                return initialize(args);
            case "OpenImage":
                return openImage(args, false);
            case "OpenImageOptional":
                return openImage(args, true);
            case "CloseImage":
                return closeImage(args);
            case "GetManifest":
                return getManifest(args);
            case "GetConfig":
                return getConfig(args, false);
            case "GetFullConfig":
                return getConfig(args, true);
            case "GetBlob":
                return getBlob(args);
            case "GetRawBlob":
                return getRawBlob(args);
            case "GetLayerInfo":
                return Reply.of(layerInfo(args));
            case "GetLayerInfoPiped":
                return returnBytes(null, GoJson.marshal(layerInfo(args)));
            case "FinishPipe":
                return finishPipe(args);
            default:
                throw new CallException("unknown method: " + method);
        }
    }

    private Reply initialize(List<JsonNode> args) throws CallException {
        if (!args.isEmpty()) {
            throw new CallException("invalid request, expecting zero arguments");
        }
        if (initialized) {
            throw new CallException("already initialized");
        }
        initialized = true;
        return Reply.of(PROTOCOL_VERSION);
    }

    private void requireInitialized() throws CallException {
        if (!initialized) {
            throw new CallException("client error: must invoke Initialize");
        }
    }

    private Reply openImage(List<JsonNode> args, boolean allowNotFound) throws CallException {
        requireInitialized();
        if (args.size() != 1) {
            throw new CallException("invalid request, expecting one argument");
        }
        if (!args.get(0).isTextual()) {
            throw new CallException("expecting string imageref, not " + goType(args.get(0)));
        }
        String name = args.get(0).asText();
        ImageSource src = null;
        try {
            ImageReference ref = Transports.parseImageName(name);
            UnparsedImage unparsed;
            try {
                src = ref.newImageSource(context);
                // containers/image's sources read the manifest when they open (so a missing image fails here)
                unparsed = new UnparsedImage(src, Optional.empty());
                unparsed.manifest();
            } catch (IOException e) {
                if (allowNotFound && ImageException.hasCode(e, ErrorCode.NOT_FOUND)) {
                    closeQuietly(src);
                    return Reply.of(0);
                }
                throw e;
            }
            policy.load().requireAllowed(unparsed);
        } catch (IOException | RuntimeException e) {
            closeQuietly(src);
            throw failure(e);
        }
        imageSerial++;
        images.put(imageSerial, new OpenImage(imageSerial, src));
        return Reply.of(imageSerial);
    }

    private Reply closeImage(List<JsonNode> args) throws CallException {
        requireInitialized();
        if (args.size() != 1) {
            throw new CallException("invalid request, expecting one argument");
        }
        OpenImage img = imageFromId(args.get(0));
        closeQuietly(img.src);
        images.remove(img.id);
        return Reply.of(null);
    }

    private static long parseUint64(JsonNode v) throws CallException {
        if (!v.isNumber()) {
            throw new CallException("expecting numeric, not " + goType(v));
        }
        double f = v.asDouble();
        if (f > MAX_JSON_FLOAT) {
            throw new CallException("out of range integer for numeric " + String.format(Locale.ROOT, "%f", f));
        }
        return (long) f;
    }

    private OpenImage imageFromId(JsonNode v) throws CallException {
        long id = parseUint64(v);
        if (id == 0) {
            throw new CallException("Invalid imageid value of zero");
        }
        OpenImage img = images.get(id);
        if (img == null) {
            throw new CallException("no image " + id);
        }
        return img;
    }

    /** Resolves a list to the instance for this platform (or the overrides), once per image. */
    private ImageInspector.ResolvedImage target(OpenImage img) throws CallException {
        if (img.cached == null) {
            try {
                img.cached = ImageInspector.resolve(new UnparsedImage(img.src, Optional.empty()), context);
            } catch (IOException | RuntimeException e) {
                throw failure(e);
            }
        }
        return img.cached;
    }

    private Reply getManifest(List<JsonNode> args) throws CallException {
        requireInitialized();
        if (args.size() != 1) {
            throw new CallException("invalid request, expecting one argument");
        }
        ImageInspector.ResolvedImage t = target(imageFromId(args.get(0)));
        RawManifest raw = t.manifest();
        String type = Manifests.effectiveMimeType(raw.bytes(), raw.mediaType());
        if (type.equals(MediaTypes.DOCKER_V2S1) || type.equals(MediaTypes.DOCKER_V2S1_SIGNED)) {
            throw new CallException("unsupported legacy manifest MIME type: " + type);
        }
        if (!type.equals(MediaTypes.OCI_MANIFEST) && !type.equals(MediaTypes.DOCKER_V2S2)) {
            throw new CallException("unsupported manifest MIME type: " + type);
        }
        try {
            Digest digest = Manifests.digest(raw.bytes());
            byte[] serialized = type.equals(MediaTypes.OCI_MANIFEST) ? raw.bytes() : toOci(t);
            return returnBytes(digest.toString(), serialized);
        } catch (IOException | RuntimeException e) {
            throw failure(e);
        }
    }

    /**
     * A Docker schema2 image as an OCI manifest, as containers/image converts it: the config converted to an
     * OCI config (the descriptor names the converted bytes), layer media types mapped to their OCI forms.
     */
    private static byte[] toOci(ImageInspector.ResolvedImage t) throws IOException {
        Schema2Manifest m = (Schema2Manifest) t.parsed();
        byte[] config = ImageConfigs.toOciConfigBytes(ImageInspector.fetchConfig(t.top().source(), m));
        Descriptor c = new Descriptor(MediaTypes.OCI_CONFIG, Digest.sha256(config), config.length);
        List<Descriptor> layers = new ArrayList<>();
        for (Descriptor l : m.layers()) {
            String mt = l.mediaType();
            if (!mt.startsWith("application/vnd.docker.image.rootfs.")) {
                throw ImageException.unsupported("Unknown media type during manifest conversion: \"" + mt + "\"");
            }
            layers.add(new Descriptor(Compression.layerMediaType(mt, true, Optional.empty()), l.digest(), l.size(),
                    l.urls(), null, null, null, null));
        }
        return new OciManifest(MediaTypes.OCI_MANIFEST, "", c, layers, null, Map.of()).serialize();
    }

    private Reply getConfig(List<JsonNode> args, boolean full) throws CallException {
        requireInitialized();
        if (args.size() != 1) {
            throw new CallException("invalid request, expecting: [imgid]");
        }
        ImageInspector.ResolvedImage t = target(imageFromId(args.get(0)));
        try {
            Map<String, Object> oci = ImageConfigs.toOciGo(ImageInspector.fetchConfig(t.top().source(), t.parsed()));
            Object value = full ? oci : oci.getOrDefault("config", Map.of());
            return returnBytes(null, GoJson.marshal(value));
        } catch (IOException | RuntimeException e) {
            throw failure(e);
        }
    }

    private Reply getBlob(List<JsonNode> args) throws CallException {
        requireInitialized();
        if (args.size() != 3) {
            throw new CallException("found " + args.size() + " args, expecting (imgid, digest, size)");
        }
        OpenImage img = imageFromId(args.get(0));
        if (!args.get(1).isTextual()) {
            throw new CallException("expecting string blobid");
        }
        long size = parseUint64(args.get(2));
        Digest d = parseDigest(args.get(1).asText());
        BlobStream blob;
        try {
            // the size is checked below, as skopeo does; it is not a hint for the transport (a registry
            // source would turn a wrong one into a range request)
            blob = img.src.openBlob(new BlobInfo(d, -1, null));
        } catch (IOException | RuntimeException e) {
            throw failure(e);
        }
        int[] p = newPipe(blob);
        ActivePipe pipe = new ActivePipe(p[1]);
        pipes.put(p[1], pipe);
        pipe.worker = worker(() -> {
            try (blob; DigestingInputStream in = new DigestingInputStream(blob.stream(), d.algorithm())) {
                long n = copy(in, pipe.w);
                if (n != size) {
                    pipe.error = "expected " + size + " bytes in blob, got " + n;
                }
                if (!in.digest().equals(d)) {
                    pipe.error = "corrupted blob, expecting " + d;
                }
            } catch (IOException | RuntimeException e) {
                pipe.error = e instanceof UnixFds.ErrnoException x ? "write |1: " + x.reason() : message(e);
            }
        });
        return new Reply(blob.size() >= 0 ? blob.size() : size, p[0], -1, p[1]);
    }

    private Reply getRawBlob(List<JsonNode> args) throws CallException {
        requireInitialized();
        if (args.size() != 2) {
            throw new CallException("found " + args.size() + " args, expecting (imgid, digest)");
        }
        OpenImage img = imageFromId(args.get(0));
        if (!args.get(1).isTextual()) {
            throw new CallException("expecting string blobid");
        }
        Digest d = parseDigest(args.get(1).asText());
        BlobStream blob;
        try {
            blob = img.src.openBlob(new BlobInfo(d, -1, null));
        } catch (IOException | RuntimeException e) {
            throw failure(e);
        }
        int[] data = newPipe(blob);
        int[] err;
        try {
            err = UnixFds.pipe();
        } catch (IOException e) {
            UnixFds.closeQuietly(data[0]);
            UnixFds.closeQuietly(data[1]);
            closeQuietly(blob);
            throw failure(e);
        }
        worker(() -> {
            try (blob) {
                Log.debug(() -> "Copying blob to client: " + blob.size() + " bytes");
                copy(blob.stream(), data[1]);
            } catch (IOException | RuntimeException e) {
                String code = e instanceof UnixFds.ErrnoException x && x.errno() == UnixFds.EPIPE ? "EPIPE"
                        : errorCode(e);
                String msg = e instanceof UnixFds.ErrnoException x ? "write |1: " + x.reason() : message(e);
                ObjectNode o = JsonNodeFactory.instance.objectNode();
                o.put("code", code);
                o.put("message", msg);
                try {
                    byte[] b = JSON.writeValueAsBytes(o);
                    UnixFds.writeFully(err[1], b, b.length);
                } catch (IOException ignored) {
                    Log.debug(() -> "Writing to client: " + ignored.getMessage());
                }
            } finally {
                UnixFds.closeQuietly(data[1]);
                UnixFds.closeQuietly(err[1]);
                Log.debug(() -> "Completed GetRawBlob operation");
            }
        });
        return new Reply(blob.size() >= 0 ? blob.size() : knownSize(img, d), data[0], err[0], 0);
    }

    /**
     * The size of a blob the transport did not tell (kopi's registry source does not pass Content-Length on): the
     * size in the image's manifest when the blob is its config or one of its layers, else -1.
     */
    private long knownSize(OpenImage img, Digest d) {
        try {
            ImageManifest m = target(img).parsed();
            if (m.config() != null && m.config().digest().equals(d)) {
                return m.config().size();
            }
            for (Descriptor l : m.layers()) {
                if (l.digest().equals(d)) {
                    return l.size();
                }
            }
        } catch (CallException e) {
            Log.debug(() -> "No manifest to find the size of " + d + " in: " + e.getMessage());
        }
        return -1;
    }

    private List<Map<String, Object>> layerInfo(List<JsonNode> args) throws CallException {
        requireInitialized();
        if (args.size() != 1) {
            throw new CallException("found " + args.size() + " args, expecting (imgid)");
        }
        OpenImage img = imageFromId(args.get(0));
        ImageInspector.ResolvedImage t = target(img);
        List<BlobInfo> infos;
        try {
            Optional<List<BlobInfo>> forCopy = img.src.layerInfosForCopy(t.instance());
            infos = forCopy.isPresent() ? forCopy.get() : t.parsed().layers().stream().map(Descriptor::toBlobInfo)
                    .toList();
        } catch (IOException | RuntimeException e) {
            throw failure(e);
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (BlobInfo b : infos) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("digest", b.digest().toString());
            m.put("size", b.size());
            m.put("media_type", b.mediaType() == null ? "" : b.mediaType());
            out.add(m);
        }
        return out;
    }

    private Reply finishPipe(List<JsonNode> args) throws CallException {
        if (args.isEmpty()) {
            throw new CallException("invalid request, expecting one argument");
        }
        int id = (int) parseUint64(args.get(0));
        ActivePipe p = pipes.get(id);
        if (p == null) {
            throw new CallException("finishpipe: no active pipe " + Integer.toUnsignedString(id));
        }
        try {
            p.worker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Log.debug(() -> "Completed pipe goroutine");
        UnixFds.closeQuietly(p.w);
        pipes.remove(id);
        if (p.error != null) {
            throw new CallException(p.error);
        }
        return Reply.of(null);
    }

    /** Bytes sent over a new pipe whose write end is finished by FinishPipe. */
    private Reply returnBytes(Object value, byte[] data) throws CallException {
        int[] p = newPipe(null);
        ActivePipe pipe = new ActivePipe(p[1]);
        pipes.put(p[1], pipe);
        pipe.worker = worker(() -> {
            try {
                UnixFds.writeFully(pipe.w, data, data.length);
            } catch (UnixFds.ErrnoException e) {
                pipe.error = "write |1: " + e.reason();
            }
        });
        return new Reply(value, p[0], -1, p[1]);
    }

    private static int[] newPipe(AutoCloseable toCloseOnFailure) throws CallException {
        try {
            return UnixFds.pipe();
        } catch (IOException e) {
            closeQuietly(toCloseOnFailure);
            throw failure(e);
        }
    }

    private static Digest parseDigest(String s) throws CallException {
        try {
            return Digest.parse(s);
        } catch (ImageException e) {
            throw new CallException(e.getMessage());
        }
    }

    private static long copy(InputStream in, int fd) throws IOException {
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = in.read(buf)) >= 0) {
            if (n > 0) {
                UnixFds.writeFully(fd, buf, n);
                total += n;
            }
        }
        return total;
    }

    private static Thread worker(Runnable r) {
        Thread t = new Thread(r, "image-proxy-pipe");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private void send(int sock, Reply r, CallException failure) throws IOException {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("success", failure == null);
        o.put("value", r.value());
        o.put("pipeid", Integer.toUnsignedLong(r.pipeId()));
        o.put("error_code", failure == null ? "" : failure.code);
        o.put("error", failure == null ? "" : failure.getMessage());
        List<Integer> fds = new ArrayList<>();
        if (r.fd() >= 0) {
            fds.add(r.fd());
        }
        if (r.errFd() >= 0) {
            fds.add(r.errFd());
        }
        try {
            UnixFds.send(sock, GoJson.marshal(o),
                    fds.stream().mapToInt(Integer::intValue).toArray());
        } catch (IOException e) {
            String reason = e instanceof UnixFds.ErrnoException x ? x.reason() : e.getMessage();
            throw new ImageException(ErrorCode.IO, "writing to socket: write sock: " + reason, e);
        } finally {
            for (int fd : fds) {
                UnixFds.closeQuietly(fd);
            }
        }
    }

    private static CallException failure(Throwable e) {
        return new CallException(message(e), errorCode(e));
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isEmpty() ? e.getClass().getSimpleName() : m;
    }

    /** containers/common's retry.IsErrorRetryable, roughly: network failures and 429/5xx answers. */
    private static String errorCode(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof UnixFds.ErrnoException x && x.errno() == UnixFds.EPIPE) {
                return "EPIPE";
            }
            if (c instanceof ImageException ie && ie.code() == ErrorCode.TOO_MANY_REQUESTS) {
                return "retryable";
            }
            if (c instanceof java.net.ConnectException || c instanceof java.net.SocketTimeoutException
                    || c instanceof java.net.SocketException) {
                return "retryable";
            }
        }
        return "other";
    }

    private static String goType(JsonNode v) {
        if (v.isTextual()) {
            return "string";
        }
        if (v.isNumber()) {
            return "float64";
        }
        if (v.isBoolean()) {
            return "bool";
        }
        if (v.isArray()) {
            return "[]interface {}";
        }
        if (v.isObject()) {
            return "map[string]interface {}";
        }
        return "<nil>";
    }

    private static String goJsonKind(JsonNode n) {
        if (n.isArray()) {
            return "array";
        }
        if (n.isTextual()) {
            return "string";
        }
        if (n.isNumber()) {
            return "number";
        }
        if (n.isBoolean()) {
            return "bool";
        }
        return "null";
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            // best effort
        }
    }

    /** Closes every image still open. */
    @Override
    public void close() {
        for (OpenImage img : images.values()) {
            try {
                img.src.close();
            } catch (IOException e) {
                Log.warn("Failed to close image " + img.src.reference().imageName() + ": " + e.getMessage());
            }
        }
        images.clear();
    }
}
