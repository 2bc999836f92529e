package dev.kopi.blob;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;

/** An open blob: the (unverified) stream and its size as the source reports it (-1 when unknown). */
public record BlobStream(InputStream stream, long size) implements Closeable {
    @Override
    public void close() throws IOException {
        stream.close();
    }
}
