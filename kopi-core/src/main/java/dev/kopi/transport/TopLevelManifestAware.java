package dev.kopi.transport;

/**
 * A destination that records the source's top-level manifest too: when one image of a manifest list is copied,
 * the list's bytes, so the image can later be found by the list's digest (containers/image passes the same to
 * {@code Commit} as {@code unparsedToplevel}). The copier calls this before {@link ImageDestination#commit()}.
 */
public interface TopLevelManifestAware {
    void setTopLevelManifest(byte[] manifest);
}
