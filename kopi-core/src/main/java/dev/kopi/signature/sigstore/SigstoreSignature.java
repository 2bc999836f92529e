package dev.kopi.signature.sigstore;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.kopi.error.ImageException;
import dev.kopi.json.GoJson;
import dev.kopi.signature.Signature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A sigstore (cosign) signature as containers/image stores it: the attachment's MIME type, its payload and its
 * annotations, all untrusted. Stored (in {@code dir:} {@code signature-N} files and lookaside storage) as NUL,
 * {@code sigstore-json}, newline, then the JSON {@code {"mimeType":…,"payload":<base64>,"annotations":{…}}}.
 *
 * @param untrustedMimeType the attachment layer's media type (cosign signatures:
 *     {@link #SIGNATURE_MIME_TYPE})
 * @param untrustedPayload the attachment layer's bytes (for a signature, the simple-signing JSON that was signed)
 * @param untrustedAnnotations the attachment layer's annotations (the signature is in {@link #SIGNATURE_ANNOTATION});
 *     null when the stored JSON has none
 */
public record SigstoreSignature(String untrustedMimeType, byte[] untrustedPayload,
        Map<String, String> untrustedAnnotations) {
    /** cosign's simple-signing attachment MIME type. */
    public static final String SIGNATURE_MIME_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json";
    /** The annotation holding the base64 signature over the payload. */
    public static final String SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";
    /** The annotation holding a Rekor signed entry timestamp. */
    public static final String SET_ANNOTATION = "dev.sigstore.cosign/bundle";
    /** The annotation holding a Fulcio certificate. */
    public static final String CERTIFICATE_ANNOTATION = "dev.sigstore.cosign/certificate";
    /** The annotation holding the Fulcio intermediate certificate chain. */
    public static final String CHAIN_ANNOTATION = "dev.sigstore.cosign/chain";
    /** The format name in the signature blob. */
    public static final String FORMAT = "sigstore-json";

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    public SigstoreSignature {
        untrustedMimeType = untrustedMimeType == null ? "" : untrustedMimeType;
        untrustedPayload = untrustedPayload == null ? new byte[0] : untrustedPayload.clone();
        untrustedAnnotations = untrustedAnnotations == null ? null
                : Collections.unmodifiableMap(new LinkedHashMap<>(untrustedAnnotations));
    }

    @Override
    public byte[] untrustedPayload() {
        return untrustedPayload.clone();
    }

    /** The annotations, empty when there are none. */
    public Map<String, String> annotations() {
        return untrustedAnnotations == null ? Map.of() : untrustedAnnotations;
    }

    /** Whether {@code blob} is in the sigstore blob format (it may still be malformed). */
    public static boolean isSigstoreBlob(byte[] blob) {
        byte[] prefix = ("\0" + FORMAT + "\n").getBytes(StandardCharsets.US_ASCII);
        return blob.length >= prefix.length && Arrays.equals(blob, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** The sigstore signature in {@code sig}, or empty when it is another format (e.g. simple signing). */
    public static Optional<SigstoreSignature> from(Signature sig) throws ImageException {
        byte[] blob = sig.blob();
        if (!isSigstoreBlob(blob)) {
            return Optional.empty();
        }
        return Optional.of(fromBlob(blob));
    }

    /** Parses a signature blob in the sigstore format. */
    public static SigstoreSignature fromBlob(byte[] blob) throws ImageException {
        if (!isSigstoreBlob(blob)) {
            throw ImageException.invalid("not a sigstore signature blob");
        }
        int start = FORMAT.length() + 2;
        byte[] chunk = Arrays.copyOfRange(blob, start, blob.length);
        JsonNode n;
        try (JsonParser p = JSON.getFactory().createParser(chunk)) {
            n = JSON.readTree(p);
            if (p.nextToken() != null && p.currentToken() != JsonToken.NOT_AVAILABLE) {
                throw ImageException.invalid("invalid character after top-level value");
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ImageException.invalid(e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw ImageException.invalid(String.valueOf(e.getMessage()), e);
        }
        if (n == null || !n.isObject()) {
            throw ImageException.invalid("json: cannot unmarshal into sigstore signature: not an object");
        }
        // Go's json.Unmarshal: fields are matched case-insensitively; unknown fields are ignored.
        String mime = "";
        byte[] payload = null;
        Map<String, String> annotations = null;
        for (var it = n.fields(); it.hasNext(); ) {
            var e = it.next();
            String k = e.getKey().toLowerCase(java.util.Locale.ROOT);
            JsonNode v = e.getValue();
            switch (k) {
                case "mimetype" -> {
                    if (!v.isNull() && !v.isTextual()) {
                        throw ImageException.invalid("json: cannot unmarshal " + kind(v)
                                + " into Go struct field sigstoreJSONRepresentation.mimeType of type string");
                    }
                    mime = v.isNull() ? mime : v.asText();
                }
                case "payload" -> {
                    if (v.isNull()) {
                        payload = null;
                    } else if (!v.isTextual()) {
                        throw ImageException.invalid("json: cannot unmarshal " + kind(v)
                                + " into Go struct field sigstoreJSONRepresentation.payload of type []uint8");
                    } else {
                        try {
                            payload = Base64.getDecoder().decode(v.asText());
                        } catch (IllegalArgumentException ex) {
                            throw ImageException.invalid("illegal base64 data in sigstore signature payload", ex);
                        }
                    }
                }
                case "annotations" -> {
                    if (v.isNull()) {
                        annotations = null;
                    } else if (!v.isObject()) {
                        throw ImageException.invalid("json: cannot unmarshal " + kind(v)
                                + " into Go struct field sigstoreJSONRepresentation.annotations of type"
                                + " map[string]string");
                    } else {
                        annotations = new LinkedHashMap<>();
                        for (var a = v.fields(); a.hasNext(); ) {
                            var ae = a.next();
                            if (!ae.getValue().isTextual()) {
                                throw ImageException.invalid("json: cannot unmarshal " + kind(ae.getValue())
                                        + " into Go struct field sigstoreJSONRepresentation.annotations of type"
                                        + " string");
                            }
                            annotations.put(ae.getKey(), ae.getValue().asText());
                        }
                    }
                }
                default -> {
                    // ignored, as json.Unmarshal does
                }
            }
        }
        return new SigstoreSignature(mime, payload, annotations);
    }

    private static String kind(JsonNode v) {
        if (v.isNumber()) {
            return "number";
        }
        if (v.isBoolean()) {
            return "bool";
        }
        if (v.isArray()) {
            return "array";
        }
        if (v.isObject()) {
            return "object";
        }
        return "string";
    }

    /** The JSON chunk, as Go's json.Marshal writes containers/image's sigstoreJSONRepresentation. */
    public byte[] jsonChunk() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mimeType", untrustedMimeType);
        m.put("payload", Base64.getEncoder().encodeToString(untrustedPayload));
        m.put("annotations", untrustedAnnotations == null ? null : GoJson.goMap(untrustedAnnotations));
        return GoJson.marshal(m);
    }

    /** This signature in containers/image's signature blob format. */
    public Signature toSignature() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.writeBytes((FORMAT + "\n").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(jsonChunk());
        return new Signature(out.toByteArray());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SigstoreSignature s && s.untrustedMimeType.equals(untrustedMimeType)
                && Arrays.equals(s.untrustedPayload, untrustedPayload)
                && java.util.Objects.equals(s.untrustedAnnotations, untrustedAnnotations);
    }

    @Override
    public int hashCode() {
        return untrustedMimeType.hashCode() * 31 + Arrays.hashCode(untrustedPayload);
    }

    @Override
    public String toString() {
        return "SigstoreSignature[" + untrustedMimeType + ", " + untrustedPayload.length + " bytes]";
    }
}
