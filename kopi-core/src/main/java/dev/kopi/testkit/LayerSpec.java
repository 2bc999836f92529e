package dev.kopi.testkit;

/**
 * One generated layer: about {@code size} bytes of file content, pseudo-random from {@code seed}, split into files of
 * at most {@link #MAX_FILE} bytes under {@code layer-<seed>/}. Half of the 4 KiB blocks are random bytes and half are
 * text, so gzip shrinks a layer to roughly 55 % (like real layers) and stays fast.
 *
 * @param size total bytes of file content (the tar adds headers and padding)
 * @param seed content seed; equal seeds give equal bytes
 * @param fileName when not null, the layer holds exactly one file with this name and {@code text} as its content
 * @param text content of the single named file (only with {@code fileName})
 */
public record LayerSpec(long size, long seed, String fileName, String text) {
    public static final long MAX_FILE = 16L * 1024 * 1024;

    public LayerSpec {
        if (size < 0) {
            throw new IllegalArgumentException("negative layer size " + size);
        }
        if ((fileName == null) != (text == null)) {
            throw new IllegalArgumentException("fileName and text go together");
        }
    }

    /** A generated layer of {@code size} bytes. */
    public static LayerSpec random(long size, long seed) {
        return new LayerSpec(size, seed, null, null);
    }

    /** A layer with a single text file. */
    public static LayerSpec textFile(String fileName, String text) {
        return new LayerSpec(text.length(), 0, fileName, text);
    }
}
