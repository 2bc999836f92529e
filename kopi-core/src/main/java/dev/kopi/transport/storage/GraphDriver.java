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

    /**
     * A fresh path, not yet existing, for {@link #createTree} to build a layer in: on the file system of the
     * installed layers, so that {@link #install} can rename it into place. vfs uses {@code <graphroot>/tmp}.
     */
    Path stagingTree(Path graphRoot) throws IOException;

    /** Removes a tree from {@link #stagingTree} that was not installed (or what is left of one that was). */
    void discardTree(Path tree) throws IOException;

    /** Builds a new layer's tree in {@code dir} (which must not exist): empty, or based on {@code parent}'s. */
    void createTree(Path dir, String parent) throws IOException;

    /** Applies an uncompressed layer tar to the tree in {@code dir}, recording its tar-split entries. */
    LayerUnpacker.Result applyDiff(Path dir, InputStream tar, TarSplit.Packer packer) throws IOException;

    /** Moves a tree built by {@link #createTree} into place as layer {@code id} (an atomic rename). */
    void install(Path dir, String id) throws IOException;

    /** Removes layer {@code id}'s files; a missing layer is fine. */
    void remove(String id) throws IOException;
}
