package dev.kopi.cli;

import dev.kopi.blob.BlobInfo;
import dev.kopi.copy.CopyListener;
import dev.kopi.digest.Digest;
import java.io.PrintStream;

/**
 * Prints copy progress as skopeo does. Not on a terminal: one "Copying blob sha256:..." line per blob as it
 * starts. On a terminal: a line per blob when it completes ("Copying blob 0123456789ab done" or
 * "... skipped: already exists").
 */
final class CopyPrinter implements CopyListener {
    private final PrintStream out;
    private final boolean tty;

    CopyPrinter(PrintStream out, boolean tty) {
        this.out = out;
        this.tty = tty;
    }

    private synchronized void line(String s) {
        out.println(s);
        out.flush();
    }

    @Override
    public void gettingSignatures() {
        line("Getting image source signatures");
    }

    @Override
    public void copyingImages(int count, int total) {
        line("Copying " + count + " images generated from " + total + " images in list");
    }

    @Override
    public void copyingImage(Digest instance, int index, int count) {
        line("Copying image " + instance + " (" + index + "/" + count + ")");
    }

    @Override
    public void blobStarted(BlobInfo info, boolean isConfig) {
        if (!tty) {
            line("Copying " + kind(isConfig) + " " + info.digest());
        }
    }

    @Override
    public void blobDone(BlobInfo info, boolean isConfig) {
        if (tty) {
            line(prefix(info, isConfig) + " done");
        }
    }

    @Override
    public void blobSkipped(BlobInfo info, boolean isConfig) {
        if (tty) {
            line(prefix(info, isConfig) + " skipped: already exists");
        }
    }

    @Override
    public void writingManifest() {
        line("Writing manifest to image destination");
    }

    @Override
    public void writingManifestList() {
        line("Writing manifest list to image destination");
    }

    @Override
    public void storingSignatures() {
        line("Storing signatures");
    }

    private static String kind(boolean isConfig) {
        return isConfig ? "config" : "blob";
    }

    private static String prefix(BlobInfo info, boolean isConfig) {
        String p = "Copying " + kind(isConfig) + " " + info.digest().encoded();
        int max = "Copying blob ".length() + 12;
        return p.length() > max ? p.substring(0, max) : p;
    }
}
