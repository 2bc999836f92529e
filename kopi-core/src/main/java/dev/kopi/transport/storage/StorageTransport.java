package dev.kopi.transport.storage;

import dev.kopi.digest.Digest;
import dev.kopi.error.ImageException;
import dev.kopi.error.InvalidReferenceException;
import dev.kopi.internal.go.GoStrconv;
import dev.kopi.reference.DockerReference;
import dev.kopi.transport.ImageTransport;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code containers-storage:} transport: images in a containers/storage store (podman, buildah, CRI-O), named
 * {@code [STORE]NAME[:TAG][@DIGEST][@ID]}, {@code [STORE]@ID} or a (truncated) ID, where the optional store spec is
 * {@code [DRIVER@GRAPHROOT+RUNROOT:OPTIONS]} (containers/image {@code storage/storage_transport.go}).
 */
public final class StorageTransport implements ImageTransport {
    public static final StorageTransport INSTANCE = new StorageTransport();

    /** IDs shorter than this are never looked up as ID prefixes. */
    static final int MINIMUM_TRUNCATED_ID_LENGTH = 3;

    private volatile StoreResolver storeResolver = DefaultStoreResolver.system();

    private StorageTransport() {
    }

    @Override
    public String name() {
        return "containers-storage";
    }

    /**
     * Installs what resolves store specs and looks up images. The default is {@link DefaultStoreResolver} for the
     * process environment (storage.conf, the on-disk stores).
     */
    public void setStoreResolver(StoreResolver resolver) {
        storeResolver = Objects.requireNonNull(resolver, "resolver");
    }

    public StoreResolver storeResolver() {
        return storeResolver;
    }

    @Override
    public StorageReference parseReference(String withinTransport) throws InvalidReferenceException {
        StoreSpec requested = StoreSpec.UNSPECIFIED;
        String rest = withinTransport;
        if (!rest.isEmpty() && rest.charAt(0) == '[') {
            int close = rest.indexOf(']');
            if (close < 1) {
                throw new InvalidReferenceException(StoreSpec.ERR_INVALID_REFERENCE);
            }
            requested = StoreSpec.parse(rest.substring(1, close));
            rest = rest.substring(close + 1);
        }
        StoreSpec store;
        try {
            store = storeResolver.resolve(requested);
        } catch (InvalidReferenceException e) {
            throw e;
        } catch (ImageException e) {
            throw new InvalidReferenceException(e.getMessage(), e);
        }
        return parseStoreReference(store, rest);
    }

    /**
     * Parses a reference for a given (resolved) store; a leading {@code [...]} store spec in {@code ref} is
     * ignored. A trailing {@code @ID} is peeled off (a full ID, or a prefix of at least 3 characters of an image in
     * the store), a bare prefix of an image's ID names that image, and the rest is a normalized Docker name with
     * {@code :latest} added when it has neither a tag nor a digest.
     */
    public StorageReference parseStoreReference(StoreSpec store, String ref) throws InvalidReferenceException {
        if (ref.isEmpty()) {
            throw invalid(GoStrconv.quote(ref) + " is an empty reference");
        }
        if (ref.charAt(0) == '[') {
            int close = ref.indexOf(']');
            if (close < 1) {
                throw invalid("store specifier in " + GoStrconv.quote(ref) + " did not end");
            }
            ref = ref.substring(close + 1);
        }
        String id = null;
        int split = ref.lastIndexOf('@');
        if (split >= 0) {
            String possibleId = ref.substring(split + 1);
            if (possibleId.isEmpty()) {
                throw invalid("empty trailing digest or ID in " + GoStrconv.quote(ref));
            }
            if (!Digest.isValid(possibleId)) { // a digest stays part of the name
                if (imageIdError(possibleId) == null) {
                    id = possibleId;
                } else {
                    Optional<String> found = storeResolver.lookupImageId(store, possibleId);
                    if (found.isPresent() && possibleId.length() >= MINIMUM_TRUNCATED_ID_LENGTH
                            && found.get().startsWith(possibleId)) {
                        id = found.get();
                    } else {
                        throw invalid(GoStrconv.quote(possibleId) + " does not look like an image ID or digest");
                    }
                }
                ref = ref.substring(0, split);
            }
        }
        if (id == null && ref.length() >= MINIMUM_TRUNCATED_ID_LENGTH && ref.indexOf('@') < 0
                && ref.indexOf(':') < 0) {
            Optional<String> found = storeResolver.lookupImageId(store, ref);
            if (found.isPresent() && found.get().startsWith(ref)) {
                id = found.get();
                ref = "";
            }
        }
        DockerReference named = null;
        if (!ref.isEmpty()) {
            try {
                named = DockerReference.parseNormalized(ref).tagNameOnly();
            } catch (InvalidReferenceException e) {
                throw new InvalidReferenceException(
                        "parsing named reference " + GoStrconv.quote(ref) + ": " + e.getMessage(), e);
            }
        }
        return StorageReference.of(store, named, id);
    }

    /**
     * Checks a policy scope: {@code [GRAPHROOT]} or {@code [DRIVER@GRAPHROOT]} with an absolute path, optionally
     * followed by a name, {@code name@ID}, {@code name@digest} or {@code name@digest@ID}.
     */
    @Override
    public void validatePolicyConfigurationScope(String scope) throws InvalidReferenceException {
        if (scope.isEmpty()) {
            return; // "" is always allowed
        }
        if (scope.charAt(0) != '[') {
            throw new InvalidReferenceException(StoreSpec.ERR_INVALID_REFERENCE);
        }
        int close = scope.indexOf(']');
        if (close < 1) {
            throw new InvalidReferenceException(StoreSpec.ERR_INVALID_REFERENCE);
        }
        String spec = scope.substring(1, close);
        String rest = scope.substring(close + 1);
        int at = spec.indexOf('@');
        if (at > 0 && at < spec.length() - 1) {
            if (!spec.substring(at + 1).startsWith("/")) {
                throw new InvalidReferenceException(StoreSpec.ERR_PATH_NOT_ABSOLUTE);
            }
        } else if (at < 0 && !spec.isEmpty()) {
            if (!spec.startsWith("/")) {
                throw new InvalidReferenceException(StoreSpec.ERR_PATH_NOT_ABSOLUTE);
            }
        } else {
            throw new InvalidReferenceException(StoreSpec.ERR_INVALID_REFERENCE);
        }
        if (rest.isEmpty()) {
            return;
        }
        String[] fields = rest.split("@", 3);
        if (fields.length == 2) {
            String idErr = imageIdError(fields[1]);
            if (idErr != null) {
                String digestErr = Digest.validate(fields[1]);
                if (digestErr != null) {
                    throw new InvalidReferenceException(fields[1] + " is neither a valid digest(" + digestErr
                            + ") nor a valid ID(" + idErr + ")");
                }
            }
        } else if (fields.length == 3) {
            String digestErr = Digest.validate(fields[1]);
            if (digestErr != null) {
                throw new InvalidReferenceException(digestErr);
            }
            String idErr = imageIdError(fields[2]);
            if (idErr != null) {
                throw new InvalidReferenceException(idErr);
            }
        }
    }

    /** The error for an invalid full image ID (64 lower-case hex characters), or null when it is valid. */
    static String imageIdError(String id) {
        return Digest.validate("sha256:" + id);
    }

    private static InvalidReferenceException invalid(String what) {
        return new InvalidReferenceException(what + ": " + StoreSpec.ERR_INVALID_REFERENCE);
    }
}
