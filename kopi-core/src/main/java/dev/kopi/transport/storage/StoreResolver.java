package dev.kopi.transport.storage;

import dev.kopi.error.ImageException;
import java.util.Optional;

/**
 * What parsing a {@code containers-storage:} reference needs from the stores: completing a store spec into the
 * identity of an actual store (storage.conf defaults, driver detection, cleaned paths), and finding an image by ID,
 * name or ID prefix to expand truncated IDs. Install one with {@link StorageTransport#setStoreResolver}.
 */
public interface StoreResolver {
    /**
     * The identity of the store that {@code requested} names: {@link StoreSpec#UNSPECIFIED} for the default store,
     * otherwise what was written in {@code [...]}, with unspecified parts filled in.
     */
    StoreSpec resolve(StoreSpec requested) throws ImageException;

    /**
     * The full ID of the image that containers/storage's {@code Store.Image(idOrName)} finds in {@code store}: by
     * full ID, by name, or by unique ID prefix. Empty when there is none.
     */
    Optional<String> lookupImageId(StoreSpec store, String idOrName);

    /**
     * The resolver used until one is installed: stores are taken as written (paths cleaned like Go's
     * filepath.Abs), the default store stays {@link StoreSpec#UNSPECIFIED}, and no image is found by ID prefix.
     */
    StoreResolver UNCONFIGURED = new StoreResolver() {
        @Override
        public StoreSpec resolve(StoreSpec requested) {
            return new StoreSpec(requested.driver(), StoreSpec.cleanAbsolutePath(requested.graphRoot()),
                    StoreSpec.cleanAbsolutePath(requested.runRoot()), requested.options());
        }

        @Override
        public Optional<String> lookupImageId(StoreSpec store, String idOrName) {
            return Optional.empty();
        }
    };
}
