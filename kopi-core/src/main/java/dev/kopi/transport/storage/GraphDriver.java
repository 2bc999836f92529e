package dev.kopi.transport.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * What kopi needs from a containers/storage graph driver: where a layer's files are, creating a layer on top of
 * its parent, applying a layer diff to it, and removing it. One class per driver; kopi implements {@code vfs}.
 */
interface GraphDriver {
    /** The driver name as c/storage spells it (directory prefix of {@code <driver>-layers}, etc.). */
    String name();

    /** Opens the content of a file of layer {@code id} by its name in the layer's archive (tar-split's getter). */
    InputStream openLayerFile(String id, String name) throws IOException;

    /** Creates the (empty, or parent-based) layer {@code id}. */
    void create(String id, String parent) throws IOException;

    /** Applies an uncompressed layer tar to layer {@code id}, recording its tar-split entries. */
    LayerUnpacker.Result applyDiff(String id, InputStream tar, TarSplit.Packer packer) throws IOException;

    /** Removes layer {@code id}'s files; a missing layer is fine. */
    void remove(String id) throws IOException;
}
