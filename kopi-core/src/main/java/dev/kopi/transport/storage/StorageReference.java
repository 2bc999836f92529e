package dev.kopi.transport.storage;

import dev.kopi.error.ImageException;
import dev.kopi.error.InvalidReferenceException;
import dev.kopi.internal.go.GoStrconv;
import dev.kopi.reference.DockerReference;
import dev.kopi.transport.ImageContext;
import dev.kopi.transport.ImageDestination;
import dev.kopi.transport.ImageReference;
import dev.kopi.transport.ImageSource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@code containers-storage:} image reference: a store, and a Docker name (with a tag and/or a digest), an image
 * ID, or both (containers/image {@code storage/storage_reference.go}).
 */
public final class StorageReference implements ImageReference {
    private final StoreSpec store;
    private final DockerReference named;
    private final String id;

    private StorageReference(StoreSpec store, DockerReference named, String id) {
        this.store = store;
        this.named = named;
        this.id = id;
    }

    /**
     * A reference to {@code named} and/or image {@code id} (64 hex characters) in {@code store}; the name, if any,
     * needs a tag or a digest.
     */
    public static StorageReference of(StoreSpec store, DockerReference named, String id)
            throws InvalidReferenceException {
        if (id != null && id.isEmpty()) {
            id = null;
        }
        if (named == null && id == null) {
            throw new InvalidReferenceException(StoreSpec.ERR_INVALID_REFERENCE);
        }
        if (named != null && named.isNameOnly()) {
            throw new InvalidReferenceException(
                    "reference " + named + " has neither a tag nor a digest: " + StoreSpec.ERR_INVALID_REFERENCE);
        }
        if (id != null) {
            String err = StorageTransport.imageIdError(id);
            if (err != null) {
                throw new InvalidReferenceException("invalid ID value " + GoStrconv.quote(id) + ": " + err + ": "
                        + StoreSpec.ERR_INVALID_REFERENCE);
            }
        }
        return new StorageReference(Objects.requireNonNull(store, "store"), named, id);
    }

    @Override
    public StorageTransport transport() {
        return StorageTransport.INSTANCE;
    }

    /** The store this reference is in. */
    public StoreSpec store() {
        return store;
    }

    /** The image ID (64 hex characters), when given. */
    public Optional<String> id() {
        return Optional.ofNullable(id);
    }

    /**
     * {@code [driver@graphRoot+runRoot:options]name@ID}. While no store resolver is installed, the default store
     * is {@link StoreSpec#UNSPECIFIED} and its prefix is left out, so the string still parses to the same reference.
     */
    @Override
    public String stringWithinTransport() {
        return (store.isUnspecified() ? "" : store.referencePrefix()) + nameAndId();
    }

    private String nameAndId() {
        return (named != null ? named.toString() : "") + (id != null ? "@" + id : "");
    }

    @Override
    public Optional<DockerReference> dockerReference() {
        return Optional.ofNullable(named);
    }

    /** {@code [driver@graphRoot]name@ID}. */
    @Override
    public String policyConfigurationIdentity() {
        return store.policyPrefix() + nameAndId();
    }

    /**
     * The name without the ID, {@code name:tag} for {@code name:tag@digest}, the repository and each parent
     * namespace, then {@code [driver@graphRoot]} and {@code [graphRoot]}.
     */
    @Override
    public List<String> policyConfigurationNamespaces() {
        String storeSpec = store.policyPrefix();
        List<String> ns = new ArrayList<>();
        if (named != null) {
            if (id != null) {
                ns.add(storeSpec + named);
            }
            if (named.hasTagAndDigest()) {
                ns.add(storeSpec + named.name() + ":" + named.tag().orElseThrow());
            }
            String name = named.name();
            while (true) {
                ns.add(storeSpec + name);
                int slash = name.lastIndexOf('/');
                if (slash < 0) {
                    break;
                }
                name = name.substring(0, slash);
            }
        }
        ns.add(storeSpec);
        ns.add(store.driverlessPolicyPrefix());
        return List.copyOf(ns);
    }

    @Override
    public ImageSource newImageSource(ImageContext ctx) throws IOException {
        return StorageImageSource.open(this, ctx);
    }

    @Override
    public ImageDestination newImageDestination(ImageContext ctx) throws IOException {
        return StorageImageDestination.open(this, ctx);
    }

    @Override
    public void deleteImage(ImageContext ctx) throws IOException {
        Store s = Store.open(store);
        String imageId = StorageImageSource.resolveImage(this, s, s.load(), ctx).path("id").asText();
        List<String> removed = s.deleteImage(imageId);
        dev.kopi.log.Log.debug(() -> "deleted image " + GoStrconv.quote(imageId) + " and layers " + removed);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StorageReference r && r.store.equals(store) && Objects.equals(r.named, named)
                && Objects.equals(r.id, id);
    }

    @Override
    public int hashCode() {
        return Objects.hash(store, named, id);
    }

    @Override
    public String toString() {
        return imageName();
    }
}
