package dev.kopi.transport.docker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kopi.config.Env;
import dev.kopi.config.RegistriesD;
import dev.kopi.digest.Digest;
import dev.kopi.digest.SizeLimits;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.image.RawManifest;
import dev.kopi.internal.go.GoStrconv;
import dev.kopi.internal.http.Response;
import dev.kopi.json.GoJson;
import dev.kopi.log.Log;
import dev.kopi.manifest.Descriptor;
import dev.kopi.manifest.Manifests;
import dev.kopi.manifest.MediaTypes;
import dev.kopi.manifest.OciManifest;
import dev.kopi.manifest.Platform;
import dev.kopi.reference.DockerPolicyScopes;
import dev.kopi.reference.DockerReference;
import dev.kopi.signature.Signature;
import dev.kopi.signature.sigstore.SigstoreSignature;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Signature storage of a {@code docker://} image, as containers/image keeps it: simple signatures in lookaside
 * storage (registries.d; read over {@code file://} or {@code http(s)://}, written to {@code file://} only) and,
 * when registries.d enables {@code use-sigstore-attachments}, sigstore signatures as layers of the OCI manifest
 * tagged {@code <algorithm>-<hex>.sig} in the image's repository.
 */
final class DockerSignatures {
    /** containers/image's maxLookasideSignatures. */
    static final int MAX_LOOKASIDE_SIGNATURES = 128;
    private static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";

    private final RegistryClient client;
    private final DockerReference ref;
    private final Lookaside lookaside;
    private final boolean useAttachments;

    private DockerSignatures(RegistryClient client, DockerReference ref, Lookaside lookaside, boolean useAttachments) {
        this.client = client;
        this.ref = ref;
        this.lookaside = lookaside;
        this.useAttachments = useAttachments;
    }

    /**
     * The storage of {@code ref} (the physical reference: a mirror's when reading from one) reached through
     * {@code client}; {@code write} chooses the staging lookaside.
     */
    static DockerSignatures of(RegistryClient client, DockerReference ref, RegistriesD config, boolean write)
            throws ImageException {
        Lookaside l = Lookaside.forReference(config, ref, Env.system(), write);
        boolean attachments = config.useSigstoreAttachments(DockerPolicyScopes.identity(ref),
                DockerPolicyScopes.namespaces(ref));
        return new DockerSignatures(client, ref, l, attachments);
    }

    // ---- reading ----

    /** Lookaside signatures, then sigstore attachments (when enabled), of the manifest {@code manifestDigest}. */
    List<Signature> read(Digest manifestDigest) throws IOException {
        List<Signature> out = new ArrayList<>();
        for (int i = 0; ; i++) {
            if (i >= MAX_LOOKASIDE_SIGNATURES) {
                throw new ImageException(ErrorCode.IO, "server provided " + MAX_LOOKASIDE_SIGNATURES
                        + " signatures, assuming that's unreasonable and a server error");
            }
            Signature s = readOne(lookaside.signatureUrl(manifestDigest, i));
            if (s == null) {
                break;
            }
            out.add(s);
        }
        readAttachments(manifestDigest, out);
        return out;
    }

    /** One lookaside signature, or null when it does not exist. */
    private Signature readOne(URI url) throws IOException {
        switch (lookaside.scheme()) {
            case "file" -> {
                Path p = Path.of(url.getPath());
                Log.debug(() -> "Reading " + p);
                byte[] blob;
                try (InputStream in = Files.newInputStream(p)) {
                    blob = in.readAllBytes();
                } catch (NoSuchFileException e) {
                    return null;
                } catch (IOException e) {
                    throw new ImageException(ErrorCode.IO, "open " + p + ": " + reason(e), e);
                }
                String err = blobError(blob);
                if (err != null) {
                    throw ImageException.invalid("parsing signature " + GoStrconv.quote(p.toString()) + ": " + err);
                }
                return new Signature(blob);
            }
            case "http", "https" -> {
                try (Response res = client.getUnauthenticated(url)) {
                    if (res.status() == 404) {
                        Log.debug(() -> "... got status 404, as expected = end of signatures");
                        res.discard(SizeLimits.ERROR_BODY);
                        return null;
                    }
                    if (res.status() != 200) {
                        throw ImageException.wrap("reading signature from " + Lookaside.redacted(url),
                                RegistryErrors.unexpectedStatus(res));
                    }
                    String ct = res.headers().firstValue("Content-Type").orElse("");
                    String simple = ct.contains(";") ? ct.substring(0, ct.indexOf(';')).trim() : ct.trim();
                    if (simple.equals("text/html")) {
                        Log.warn("Signature " + GoStrconv.quote(Lookaside.redacted(url)) + " has Content-Type "
                                + GoStrconv.quote(ct) + ", unexpected for a signature");
                    }
                    byte[] blob = SizeLimits.readAtMost(res.body(), SizeLimits.SIGNATURE, "signature");
                    String err = blobError(blob);
                    if (err != null) {
                        throw ImageException.invalid("parsing signature " + Lookaside.redacted(url) + ": " + err);
                    }
                    return new Signature(blob);
                }
            }
            default -> throw ImageException.unsupported("Unsupported scheme when reading signature from "
                    + Lookaside.redacted(url));
        }
    }

    /** The sigstore attachment tag of a manifest: {@code sha256-<hex>.sig}. */
    static String attachmentTag(Digest d) {
        return d.algorithm().prefix() + "-" + d.encoded() + ".sig";
    }

    private OciManifest attachmentManifest(Digest manifestDigest) throws IOException {
        String tag = attachmentTag(manifestDigest);
        String name = ref.name() + ":" + tag;
        Log.debug(() -> "Looking for sigstore attachments in " + name);
        var m = client.fetchManifestIfPresent(tag);
        if (m.isEmpty()) {
            return null;
        }
        RawManifest raw = m.get();
        if (!raw.mediaType().equals(MediaTypes.OCI_MANIFEST)) {
            throw ImageException.invalid("unexpected MIME type for sigstore attachment manifest " + name + ": "
                    + GoStrconv.quote(raw.mediaType()));
        }
        try {
            return (OciManifest) Manifests.parse(raw.bytes(), MediaTypes.OCI_MANIFEST);
        } catch (ImageException | ClassCastException e) {
            throw ImageException.invalid("parsing manifest " + name + ": " + e.getMessage(), e);
        }
    }

    private void readAttachments(Digest manifestDigest, List<Signature> out) throws IOException {
        if (!useAttachments) {
            Log.debug(() -> "Not looking for sigstore attachments: disabled by configuration");
            return;
        }
        OciManifest m = attachmentManifest(manifestDigest);
        if (m == null) {
            return;
        }
        Log.debug(() -> "Found a sigstore attachment manifest with " + m.layers().size() + " layers");
        int i = 0;
        for (Descriptor layer : m.layers()) {
            int n = ++i;
            Log.debug(() -> "Fetching sigstore attachment " + n + "/" + m.layers().size() + ": " + layer.digest());
            byte[] payload = client.fetchBlobBytes(layer.digest(), layer.size(), SizeLimits.SIGNATURE);
            out.add(new SigstoreSignature(layer.mediaType(), payload,
                    layer.annotations().isEmpty() ? null : layer.annotations()).toSignature());
        }
    }

    /** containers/image's signature.FromBlob checks: null when {@code blob} is a signature it can read. */
    static String blobError(byte[] blob) {
        if (blob.length == 0) {
            return "empty signature blob";
        }
        int b = blob[0] & 0xff;
        if (Set.of(0xA0, 0xA1, 0xA2, 0xA3, 0xC8, 0x90, 0x91, 0x92, 0x3d, 0xC4, 0x88, 0x89, 0x8A, 0x8B, 0xC2)
                .contains(b)) {
            return null;
        }
        if (b != 0) {
            return String.format("unrecognized signature format, starting with binary %#x", b);
        }
        int nl = -1;
        for (int i = 1; i < blob.length; i++) {
            if (blob[i] == '\n') {
                nl = i;
                break;
            }
        }
        if (nl < 0) {
            return "invalid signature format, missing newline";
        }
        for (int i = 1; i < nl; i++) {
            int c = blob[i] & 0xff;
            if (c < 32 || c >= 0x7f) {
                return String.format("invalid signature format, non-ASCII byte %#x", c);
            }
        }
        String format = new String(blob, 1, nl - 1, StandardCharsets.US_ASCII);
        if (format.equals("simple-signing")) {
            return null;
        }
        if (format.equals(SigstoreSignature.FORMAT)) {
            try {
                SigstoreSignature.fromBlob(blob);
                return null;
            } catch (ImageException e) {
                return e.getMessage();
            }
        }
        return "unrecognized signature format " + GoStrconv.quote(format);
    }

    // ---- writing ----

    /** Stores {@code signatures} for {@code manifestDigest}: sigstore ones as attachments, the others in lookaside. */
    void write(List<Signature> signatures, Digest manifestDigest) throws IOException {
        List<SigstoreSignature> sigstore = new ArrayList<>();
        List<Signature> other = new ArrayList<>();
        for (Signature s : signatures) {
            if (SigstoreSignature.isSigstoreBlob(s.blob())) {
                sigstore.add(SigstoreSignature.fromBlob(s.blob()));
            } else {
                other.add(s);
            }
        }
        if (!sigstore.isEmpty()) {
            writeAttachments(sigstore, manifestDigest);
        }
        if (!other.isEmpty()) {
            client.ping();
            writeLookaside(other, manifestDigest);
        }
    }

    private void writeLookaside(List<Signature> signatures, Digest manifestDigest) throws IOException {
        for (int i = 0; i < signatures.size(); i++) {
            URI url = lookaside.signatureUrl(manifestDigest, i);
            switch (lookaside.scheme()) {
                case "file" -> {
                    Path p = Path.of(url.getPath());
                    Log.debug(() -> "Writing to " + p);
                    mkdirs(p.getParent());
                    try {
                        Files.write(p, signatures.get(i).blob(), StandardOpenOption.CREATE,
                                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
                        if (!Files.isSymbolicLink(p)) {
                            try {
                                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
                            } catch (UnsupportedOperationException e) {
                                // not a POSIX file system
                            }
                        }
                    } catch (IOException e) {
                        throw new ImageException(ErrorCode.IO, "open " + p + ": " + reason(e), e);
                    }
                }
                case "http", "https" -> throw ImageException.unsupported("Writing directly to a "
                        + lookaside.scheme() + " lookaside " + Lookaside.redacted(url)
                        + " is not supported. Configure a lookaside-staging: location");
                default -> throw ImageException.unsupported("Unsupported scheme when writing signature to "
                        + Lookaside.redacted(url));
            }
        }
        deleteLookaside(manifestDigest, signatures.size());
    }

    /** Deletes lookaside signatures {@code from}+1 on, stopping at the first missing one. */
    void deleteLookaside(Digest manifestDigest, int from) throws IOException {
        for (int i = from; ; i++) {
            URI url = lookaside.signatureUrl(manifestDigest, i);
            switch (lookaside.scheme()) {
                case "file" -> {
                    Path p = Path.of(url.getPath());
                    Log.debug(() -> "Deleting " + p);
                    try {
                        Files.delete(p);
                    } catch (NoSuchFileException e) {
                        return;
                    } catch (IOException e) {
                        throw new ImageException(ErrorCode.IO, "remove " + p + ": " + reason(e), e);
                    }
                }
                case "http", "https" -> throw ImageException.unsupported("Writing directly to a "
                        + lookaside.scheme() + " lookaside " + Lookaside.redacted(url)
                        + " is not supported. Configure a lookaside-staging: location");
                default -> throw ImageException.unsupported("Unsupported scheme when deleting signature from "
                        + Lookaside.redacted(url));
            }
        }
    }

    private static void mkdirs(Path dir) throws ImageException {
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwxr-xr-x")));
        } catch (IOException e) {
            throw new ImageException(ErrorCode.IO, "mkdir " + dir + ": " + reason(e), e);
        }
    }

    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return String.valueOf(e.getMessage());
    }

    private void writeAttachments(List<SigstoreSignature> signatures, Digest manifestDigest) throws IOException {
        if (!useAttachments) {
            throw ImageException.unsupported("writing sigstore attachments is disabled by configuration");
        }
        OciManifest existing = attachmentManifest(manifestDigest);
        List<Descriptor> layers = new ArrayList<>();
        Map<String, Object> config;
        Descriptor subject = null;
        Map<String, String> annotations = null;
        if (existing == null) {
            config = new LinkedHashMap<>();
            config.put("architecture", "");
            config.put("os", "");
            config.put("rootfs", rootfs("layers", new ArrayList<>()));
        } else {
            Log.debug(() -> "Fetching sigstore attachment config " + existing.config().digest());
            byte[] configBlob = client.fetchBlobBytes(existing.config().digest(), existing.config().size(),
                    SizeLimits.CONFIG);
            try {
                config = goImageConfig(Manifests.readTree(configBlob, "sigstore attachment config"));
            } catch (ImageException e) {
                throw ImageException.invalid("parsing sigstore attachment config " + existing.config().digest()
                        + " in " + ref.name() + ": " + e.getMessage(), e);
            }
            layers.addAll(existing.layers());
            annotations = existing.annotations() == null || existing.annotations().isEmpty() ? null
                    : existing.annotations();
            subject = existing.subject();
        }
        @SuppressWarnings("unchecked")
        List<String> diffIds = (List<String>) ((Map<String, Object>) config.get("rootfs")).get("diff_ids");
        for (SigstoreSignature sig : signatures) {
            byte[] payload = sig.untrustedPayload();
            Digest d = Digest.sha256(payload);
            boolean present = false;
            for (Descriptor layer : layers) {
                if (layer.mediaType().equals(sig.untrustedMimeType()) && layer.size() == payload.length
                        && layer.digest().toString().equals(d.toString())
                        && Objects.equals(layer.annotations(), sig.annotations())) {
                    Log.debug(() -> "Signature with digest " + layer.digest() + " already exists on the registry");
                    present = true;
                    break;
                }
            }
            if (present) {
                continue;
            }
            putBytes(payload, d);
            layers.add(new Descriptor(sig.untrustedMimeType(), d, payload.length, null, sig.annotations(), null, null,
                    null));
            diffIds.add(d.toString());
            Log.debug(() -> "Adding new signature, digest " + d);
        }
        byte[] configBlob = GoJson.marshal(config);
        Log.debug(() -> "Uploading updated sigstore attachment config");
        Digest configDigest = Digest.sha256(configBlob);
        putBytes(configBlob, configDigest);
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        String mt = existing == null ? MediaTypes.OCI_MANIFEST : existing.mediaTypeField();
        if (!mt.isEmpty()) {
            manifest.put("mediaType", mt);
        }
        if (existing != null && !existing.artifactType().isEmpty()) {
            manifest.put("artifactType", existing.artifactType());
        }
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("mediaType", OCI_CONFIG);
        cfg.put("digest", configDigest.toString());
        cfg.put("size", (long) configBlob.length);
        manifest.put("config", cfg);
        List<Object> ls = new ArrayList<>();
        for (Descriptor l : layers) {
            ls.add(goDescriptor(l));
        }
        manifest.put("layers", ls);
        if (subject != null) {
            manifest.put("subject", goDescriptor(subject));
        }
        if (annotations != null) {
            manifest.put("annotations", GoJson.goMap(annotations));
        }
        Log.debug(() -> "Uploading sigstore attachment manifest");
        client.putManifest(GoJson.marshal(manifest), MediaTypes.OCI_MANIFEST, attachmentTag(manifestDigest));
    }

    private void putBytes(byte[] data, Digest d) throws IOException {
        try {
            if (client.blobSize(d) >= 0) {
                return;
            }
            client.uploadBlob(new ByteArrayInputStream(data), d, data.length);
            BlobLocations.record(client.registry(), client.repository(), d);
        } catch (ImageException e) {
            throw ImageException.wrap("writing blob " + d, e);
        }
    }

    private static Map<String, Object> rootfs(String type, List<String> diffIds) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type);
        m.put("diff_ids", diffIds);
        return m;
    }

    /** An OCI descriptor as Go's json.Marshal writes image-spec's Descriptor. */
    static Map<String, Object> goDescriptor(Descriptor d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mediaType", d.mediaType());
        m.put("digest", d.digest().toString());
        m.put("size", d.size());
        if (!d.urls().isEmpty()) {
            m.put("urls", d.urls());
        }
        if (!d.annotations().isEmpty()) {
            m.put("annotations", GoJson.goMap(d.annotations()));
        }
        if (!d.data().isEmpty()) {
            m.put("data", d.data());
        }
        if (d.platform() != null) {
            Platform p = d.platform();
            Map<String, Object> pm = new LinkedHashMap<>();
            pm.put("architecture", p.architecture());
            pm.put("os", p.os());
            if (p.osVersion() != null && !p.osVersion().isEmpty()) {
                pm.put("os.version", p.osVersion());
            }
            if (p.osFeatures() != null && !p.osFeatures().isEmpty()) {
                pm.put("os.features", p.osFeatures());
            }
            if (p.variant() != null && !p.variant().isEmpty()) {
                pm.put("variant", p.variant());
            }
            m.put("platform", pm);
        }
        if (d.artifactType() != null && !d.artifactType().isEmpty()) {
            m.put("artifactType", d.artifactType());
        }
        return m;
    }

    private static final List<String> IMAGE_CONFIG_FIELDS = List.of("User", "ExposedPorts", "Env", "Entrypoint", "Cmd",
            "Volumes", "WorkingDir", "Labels", "StopSignal", "ArgsEscaped");

    /**
     * An attachment config as containers/image rewrites it (json.Unmarshal into image-spec's Image, then
     * json.Marshal): its known fields in Go's order, empty optional ones left out, others dropped.
     */
    private static Map<String, Object> goImageConfig(JsonNode n) throws ImageException {
        if (!n.isObject()) {
            throw ImageException.invalid("json: cannot unmarshal into Go value of type v1.Image");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        putIfText(m, n, "created", true);
        putIfText(m, n, "author", true);
        putIfText(m, n, "architecture", false);
        putIfText(m, n, "os", false);
        putIfText(m, n, "os.version", true);
        JsonNode features = Manifests.field(n, "os.features");
        if (features != null && features.isArray() && !features.isEmpty()) {
            m.put("os.features", new GoJson.Raw(features.toString()));
        }
        putIfText(m, n, "variant", true);
        JsonNode c = Manifests.field(n, "config");
        if (c != null && c.isObject()) {
            Map<String, Object> cm = new LinkedHashMap<>();
            for (String f : IMAGE_CONFIG_FIELDS) {
                JsonNode v = Manifests.field(c, f);
                if (v == null || v.isNull() || v.isTextual() && v.asText().isEmpty()
                        || v.isContainerNode() && v.isEmpty() || v.isBoolean() && !v.asBoolean()) {
                    continue;
                }
                cm.put(f, new GoJson.Raw(v.toString()));
            }
            if (!cm.isEmpty()) {
                m.put("config", cm);
            }
        }
        JsonNode rootfs = Manifests.field(n, "rootfs");
        List<String> diffIds = new ArrayList<>();
        String type = "";
        if (rootfs != null && rootfs.isObject()) {
            JsonNode t = Manifests.field(rootfs, "type");
            type = t != null && t.isTextual() ? t.asText() : "";
            JsonNode ids = Manifests.field(rootfs, "diff_ids");
            if (ids != null && ids.isArray()) {
                for (JsonNode id : ids) {
                    diffIds.add(id.asText());
                }
            }
        }
        m.put("rootfs", rootfs(type, diffIds));
        JsonNode history = Manifests.field(n, "history");
        if (history != null && history.isArray() && !history.isEmpty()) {
            List<Object> hs = new ArrayList<>();
            for (JsonNode h : history) {
                Map<String, Object> hm = new LinkedHashMap<>();
                putIfText(hm, h, "created", true);
                putIfText(hm, h, "created_by", true);
                putIfText(hm, h, "author", true);
                putIfText(hm, h, "comment", true);
                JsonNode e = Manifests.field(h, "empty_layer");
                if (e != null && e.asBoolean(false)) {
                    hm.put("empty_layer", true);
                }
                hs.add(hm);
            }
            m.put("history", hs);
        }
        return m;
    }

    private static void putIfText(Map<String, Object> m, JsonNode n, String field, boolean omitEmpty) {
        JsonNode v = Manifests.field(n, field);
        String s = v != null && v.isTextual() ? v.asText() : "";
        if (!s.isEmpty() || !omitEmpty) {
            m.put(field, s);
        }
    }
}
