package dev.kopi.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kopi.error.ImageException;
import dev.kopi.error.InvalidReferenceException;
import dev.kopi.json.ParanoidJson;
import dev.kopi.reference.DockerReference;
import dev.kopi.transport.ImageTransport;
import dev.kopi.transport.Transports;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Parses policy.json as containers/image's {@code NewPolicyFromBytes} does: every object is read paranoidly
 * (unknown keys, duplicate keys and trailing data are errors), in document order, with its error texts.
 */
final class PolicyParser {
    private PolicyParser() {
    }

    /** The parsed document. */
    record Policy(List<PolicyRequirement> defaultRequirements,
            Map<String, Map<String, List<PolicyRequirement>>> transports) {
    }

    static Policy parse(byte[] bytes) throws ImageException {
        JsonNode n = dev.kopi.manifest.Manifests.readTree(bytes, "policy");
        List<List<PolicyRequirement>> def = new ArrayList<>();
        Map<String, Map<String, List<PolicyRequirement>>> transports = new LinkedHashMap<>();
        ParanoidJson.object(n, k -> switch (k) {
            case "default" -> v -> def.add(v.isNull() ? null : requirements(v));
            case "transports" -> v -> transports.putAll(transports(v));
            default -> null;
        });
        if (def.isEmpty() || def.get(0) == null) {
            throw ParanoidJson.error("Default policy is missing");
        }
        return new Policy(def.get(0), transports);
    }

    private static Map<String, Map<String, List<PolicyRequirement>>> transports(JsonNode n) throws ImageException {
        Map<String, Map<String, List<PolicyRequirement>>> out = new LinkedHashMap<>();
        if (n.isNull()) {
            return out;
        }
        ParanoidJson.object(n, k -> v -> out.put(k, scopes(v, Transports.get(k))));
        return out;
    }

    private static Map<String, List<PolicyRequirement>> scopes(JsonNode n, ImageTransport transport)
            throws ImageException {
        Map<String, List<PolicyRequirement>> out = new LinkedHashMap<>();
        if (n.isNull()) {
            return out;
        }
        ParanoidJson.object(n, k -> {
            if (!k.isEmpty() && transport != null) {
                try {
                    transport.validatePolicyConfigurationScope(k);
                } catch (InvalidReferenceException | RuntimeException e) {
                    return null;
                }
            }
            return v -> out.put(k, requirements(v));
        });
        return out;
    }

    static List<PolicyRequirement> requirements(JsonNode n) throws ImageException {
        if (!n.isNull() && !n.isArray()) {
            throw ParanoidJson.error("json: cannot unmarshal " + ParanoidJson.kind(n)
                    + " into Go value of type []json.RawMessage");
        }
        if (n.isNull() || n.isEmpty()) {
            throw ParanoidJson.error("List of verification policy requirements must not be empty");
        }
        List<PolicyRequirement> out = new ArrayList<>();
        for (JsonNode r : n) {
            out.add(requirement(r));
        }
        return List.copyOf(out);
    }

    private static String typeOf(JsonNode n, String goType) throws ImageException {
        if (n.isNull()) {
            return "";
        }
        if (!n.isObject()) {
            throw ParanoidJson.error("json: cannot unmarshal " + ParanoidJson.kind(n) + " into Go value of type "
                    + goType);
        }
        JsonNode t = n.get("type");
        return t == null ? "" : ParanoidJson.string(t, "");
    }

    static PolicyRequirement requirement(JsonNode n) throws ImageException {
        String type = typeOf(n, "signature.prCommon");
        return switch (type) {
            case "insecureAcceptAnything" -> {
                ParanoidJson.exactFields(n, Map.of("type", v -> { }));
                yield new PolicyRequirement.InsecureAcceptAnything();
            }
            case "reject" -> {
                ParanoidJson.exactFields(n, Map.of("type", v -> { }));
                yield new PolicyRequirement.Reject();
            }
            case "signedBy" -> signedBy(n);
            case "signedBaseLayer" -> {
                JsonNode[] id = new JsonNode[1];
                Map<String, ParanoidJson.Field> f = new LinkedHashMap<>();
                f.put("type", v -> { });
                f.put("baseLayerIdentity", v -> id[0] = v);
                ParanoidJson.exactFields(n, f);
                yield new PolicyRequirement.SignedBaseLayer(referenceMatch(id[0]));
            }
            case "sigstoreSigned" -> sigstoreSigned(n);
            default -> throw ParanoidJson.error("Unknown policy requirement type " + ParanoidJson.quote(type));
        };
    }

    private static final List<String> KEY_TYPES = List.of("GPGKeys", "signedByGPGKeys", "X509Certificates",
            "signedByX509CAs");

    private static PolicyRequirement signedBy(JsonNode n) throws ImageException {
        String[] keyType = {""};
        String[] keyPath = {""};
        List<List<String>> keyPaths = new ArrayList<>();
        List<byte[]> keyData = new ArrayList<>();
        boolean[] got = new boolean[3];
        JsonNode[] identity = new JsonNode[1];
        ParanoidJson.object(n, k -> switch (k) {
            case "type" -> v -> { };
            case "keyType" -> v -> {
                String s = ParanoidJson.string(v, "");
                if (!KEY_TYPES.contains(s)) {
                    throw ParanoidJson.error("Unrecognized keyType value " + ParanoidJson.quote(s));
                }
                keyType[0] = s;
            };
            case "keyPath" -> v -> {
                got[0] = true;
                keyPath[0] = ParanoidJson.string(v, "");
            };
            case "keyPaths" -> v -> {
                got[1] = true;
                keyPaths.add(ParanoidJson.stringList(v));
            };
            case "keyData" -> v -> {
                got[2] = true;
                keyData.add(ParanoidJson.bytes(v));
            };
            case "signedIdentity" -> v -> identity[0] = v;
            default -> null;
        });
        ReferenceMatch id = identity[0] == null || identity[0].isNull()
                ? new ReferenceMatch.MatchRepoDigestOrExact() : referenceMatch(identity[0]);
        int count = (got[0] ? 1 : 0) + (got[1] ? 1 : 0) + (got[2] ? 1 : 0);
        if (count == 0) {
            throw ParanoidJson.error(
                    "Exactly one of keyPath, keyPaths and keyData must be specified, none of them present");
        }
        if (count > 1) {
            throw ParanoidJson.error(
                    "Exactly one of keyPath, keyPaths and keyData must be specified, more than one present");
        }
        if (!KEY_TYPES.contains(keyType[0])) {
            throw ParanoidJson.error("invalid keyType " + ParanoidJson.quote(keyType[0]));
        }
        String path = got[0] ? keyPath[0] : "";
        List<String> paths = got[1] ? keyPaths.get(0) : null;
        byte[] data = got[2] ? keyData.get(0) : null;
        int sources = (!path.isEmpty() ? 1 : 0) + (paths != null ? 1 : 0) + (data != null ? 1 : 0);
        if (sources != 1) {
            throw ParanoidJson.error("exactly one of keyPath, keyPaths and keyData must be specified");
        }
        return new PolicyRequirement.SignedBy(keyType[0], path.isEmpty() ? null : path,
                paths == null ? null : List.copyOf(paths), data, id);
    }

    private static final List<String> FULCIO_KEYS = List.of("caPath", "caData", "oidcIssuer", "subjectEmail");
    private static final List<String> PKI_KEYS = List.of("caRootsPath", "caRootsData", "caIntermediatesPath",
            "caIntermediatesData", "subjectEmail", "subjectHostname");

    private static void opaqueObject(JsonNode v, List<String> keys) throws ImageException {
        ParanoidJson.object(v, k -> keys.contains(k) ? x -> ParanoidJson.string(x, "") : null);
    }

    private static PolicyRequirement sigstoreSigned(JsonNode n) throws ImageException {
        String[] keyPath = {null};
        List<String>[] keyPaths = new List[1];
        byte[][] keyData = new byte[1][];
        List<byte[]>[] keyDatas = new List[1];
        boolean[] fulcio = new boolean[1];
        boolean[] pki = new boolean[1];
        int[] rekor = new int[1];
        JsonNode[] identity = new JsonNode[1];
        ParanoidJson.object(n, k -> switch (k) {
            case "type" -> v -> { };
            case "keyPath" -> v -> keyPath[0] = ParanoidJson.string(v, "");
            case "keyPaths" -> v -> keyPaths[0] = ParanoidJson.stringList(v);
            case "keyData" -> v -> keyData[0] = ParanoidJson.bytes(v);
            case "keyDatas" -> v -> keyDatas[0] = bytesList(v);
            case "fulcio" -> v -> {
                opaqueObject(v, FULCIO_KEYS);
                fulcio[0] = true;
            };
            case "pki" -> v -> {
                opaqueObject(v, PKI_KEYS);
                pki[0] = true;
            };
            case "rekorPublicKeyPath", "rekorPublicKeyData" -> v -> {
                if (!v.isNull() && !(v.isTextual() && v.asText().isEmpty())) {
                    rekor[0]++;
                }
            };
            case "rekorPublicKeyPaths", "rekorPublicKeyDatas" -> v -> {
                if (!v.isNull()) {
                    if (v.isEmpty()) {
                        throw ParanoidJson.error(ParanoidJson.quote(k.replace("PublicKey", "Publickey"))
                                + " contains no entries");
                    }
                    rekor[0]++;
                }
            };
            case "signedIdentity" -> v -> identity[0] = v;
            default -> null;
        });
        ReferenceMatch id = identity[0] == null || identity[0].isNull()
                ? new ReferenceMatch.MatchRepoDigestOrExact() : referenceMatch(identity[0]);
        if (keyPaths[0] != null && keyPaths[0].isEmpty()) {
            throw ParanoidJson.error("\"keyPaths\" contains no entries");
        }
        if (keyDatas[0] != null && keyDatas[0].isEmpty()) {
            throw ParanoidJson.error("\"keyDatas\" contains no entries");
        }
        int sources = (keyPath[0] != null && !keyPath[0].isEmpty() ? 1 : 0) + (keyPaths[0] != null ? 1 : 0)
                + (keyData[0] != null ? 1 : 0) + (keyDatas[0] != null ? 1 : 0) + (fulcio[0] ? 1 : 0)
                + (pki[0] ? 1 : 0);
        if (sources != 1) {
            throw ParanoidJson.error(
                    "exactly one of keyPath, keyPaths, keyData, keyDatas, fulcio, and pki must be specified");
        }
        if (rekor[0] > 1) {
            throw ParanoidJson.error("at most one of rekorPublickeyPath, rekorPublicKeyPaths, rekorPublickeyData "
                    + "and rekorPublicKeyDatas can be used simultaneously");
        }
        if (fulcio[0] && rekor[0] == 0) {
            throw ParanoidJson.error("At least one of rekorPublickeyPath, rekorPublicKeyPaths, rekorPublickeyData "
                    + "and rekorPublicKeyDatas must be specified if fulcio is used");
        }
        if (pki[0] && rekor[0] > 0) {
            throw ParanoidJson.error("rekorPublickeyPath, rekorPublicKeyPaths, rekorPublickeyData and "
                    + "rekorPublicKeyDatas are not supported for pki");
        }
        return new PolicyRequirement.SigstoreSigned(keyPath[0] == null || keyPath[0].isEmpty() ? null : keyPath[0],
                keyPaths[0] == null ? null : List.copyOf(keyPaths[0]), keyData[0],
                keyDatas[0] == null ? null : List.copyOf(keyDatas[0]), fulcio[0], rekor[0] > 0, pki[0], id);
    }

    private static List<byte[]> bytesList(JsonNode v) throws ImageException {
        if (v.isNull()) {
            return null;
        }
        if (!v.isArray()) {
            throw ParanoidJson.error("json: cannot unmarshal " + ParanoidJson.kind(v)
                    + " into Go value of type [][]uint8");
        }
        List<byte[]> out = new ArrayList<>();
        for (JsonNode e : v) {
            byte[] b = ParanoidJson.bytes(e);
            out.add(b == null ? new byte[0] : b);
        }
        return out;
    }

    static ReferenceMatch referenceMatch(JsonNode n) throws ImageException {
        String type = typeOf(n, "signature.prmCommon");
        switch (type) {
            case "matchExact", "matchRepoDigestOrExact", "matchRepository" -> {
                ParanoidJson.exactFields(n, Map.of("type", v -> { }));
                return switch (type) {
                    case "matchExact" -> new ReferenceMatch.MatchExact();
                    case "matchRepository" -> new ReferenceMatch.MatchRepository();
                    default -> new ReferenceMatch.MatchRepoDigestOrExact();
                };
            }
            case "exactReference" -> {
                String[] ref = {""};
                Map<String, ParanoidJson.Field> f = new LinkedHashMap<>();
                f.put("type", v -> { });
                f.put("dockerReference", v -> ref[0] = ParanoidJson.string(v, ""));
                ParanoidJson.exactFields(n, f);
                DockerReference r;
                try {
                    r = DockerReference.parseNormalized(ref[0]);
                } catch (InvalidReferenceException e) {
                    throw ParanoidJson.error("Invalid format of dockerReference " + ParanoidJson.quote(ref[0]) + ": "
                            + e.getMessage());
                }
                if (r.isNameOnly()) {
                    throw ParanoidJson.error("dockerReference " + ParanoidJson.quote(ref[0])
                            + " contains neither a tag nor digest");
                }
                return new ReferenceMatch.ExactReference(ref[0]);
            }
            case "exactRepository" -> {
                String[] ref = {""};
                Map<String, ParanoidJson.Field> f = new LinkedHashMap<>();
                f.put("type", v -> { });
                f.put("dockerRepository", v -> ref[0] = ParanoidJson.string(v, ""));
                ParanoidJson.exactFields(n, f);
                try {
                    DockerReference.parseNormalized(ref[0]);
                } catch (InvalidReferenceException e) {
                    throw ParanoidJson.error("Invalid format of dockerRepository " + ParanoidJson.quote(ref[0])
                            + ": " + e.getMessage());
                }
                return new ReferenceMatch.ExactRepository(ref[0]);
            }
            case "remapIdentity" -> {
                String[] prefix = {""};
                String[] signedPrefix = {""};
                Map<String, ParanoidJson.Field> f = new LinkedHashMap<>();
                f.put("type", v -> { });
                f.put("prefix", v -> prefix[0] = ParanoidJson.string(v, ""));
                f.put("signedPrefix", v -> signedPrefix[0] = ParanoidJson.string(v, ""));
                ParanoidJson.exactFields(n, f);
                validatePrefix(prefix[0]);
                validatePrefix(signedPrefix[0]);
                return new ReferenceMatch.RemapIdentity(prefix[0], signedPrefix[0]);
            }
            default -> throw ParanoidJson.error("Unknown policy reference match type " + ParanoidJson.quote(type));
        }
    }

    private static final String DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    private static final String DOMAIN = "(?:(?:" + DOMAIN_COMPONENT + "(?:\\." + DOMAIN_COMPONENT
            + ")*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?)";
    private static final String PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    private static final Pattern DOMAIN_EXACT = Pattern.compile(DOMAIN);
    private static final Pattern DOMAIN_PREFIX = Pattern.compile(DOMAIN + "/.*", Pattern.DOTALL);
    private static final Pattern NAME = Pattern.compile("(?:" + DOMAIN + "/)?" + PATH_COMPONENT + "(?:/"
            + PATH_COMPONENT + ")*");

    /** containers/image's {@code validateIdentityRemappingPrefix}. */
    static void validatePrefix(String s) throws ImageException {
        if (DOMAIN_EXACT.matcher(s).matches() || (NAME.matcher(s).matches() && DOMAIN_PREFIX.matcher(s).matches())) {
            return;
        }
        throw ParanoidJson.error("prefix " + ParanoidJson.quote(s) + " is not valid");
    }
}
