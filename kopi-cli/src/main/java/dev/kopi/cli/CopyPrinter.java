package dev.kopi.cli;

import dev.kopi.blob.BlobInfo;
import dev.kopi.copy.CopyListener;
import dev.kopi.digest.Digest;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Prints copy progress as skopeo does. Not on a terminal: one "Copying blob sha256:..." line per blob as it
 * starts. On a terminal: a live bar per blob (bytes done / total, rate), redrawn in place, ending as
 * "Copying blob 0123456789ab done" or "... skipped: already exists".
 *
 * <p>With {@code --progress-interval} (beyond skopeo) and not on a terminal, every interval also prints one line per
 * blob still being copied: "Copying blob 0123456789ab 1.5 MiB / 4.0 MiB (37%)".
 */
final class CopyPrinter implements CopyListener {
    private static final long REDRAW_NANOS = 150_000_000L;
    private final PrintStream out;
    private final boolean tty;
    private final List<Bar> bars = new ArrayList<>();
    private int drawnLines;
    private long lastDraw;

    /** Blobs being copied, for the periodic lines (not on a terminal only). */
    private final Map<String, Bar> active = new LinkedHashMap<>();
    private ScheduledExecutorService ticker;

    CopyPrinter(PrintStream out, boolean tty) {
        this(out, tty, null);
    }

    /** {@code interval}: print periodic progress lines this often when not on a terminal; null or zero for none. */
    CopyPrinter(PrintStream out, boolean tty, Duration interval) {
        this.out = out;
        this.tty = tty;
        if (!tty && interval != null && !interval.isZero() && !interval.isNegative()) {
            ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "kopi-progress");
                t.setDaemon(true);
                return t;
            });
            long nanos = interval.toNanos();
            ticker.scheduleAtFixedRate(this::tick, nanos, nanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Prints one line per blob being copied (the periodic progress lines). */
    synchronized void tick() {
        for (Bar b : active.values()) {
            String amount = b.total > 0 ? plain(b.done) + " / " + plain(b.total) + " ("
                    + Math.min(100, b.done * 100 / b.total) + "%)" : plain(b.done);
            out.println(b.prefix + " " + amount);
        }
        out.flush();
    }

    private void stopTicker() {
        if (ticker != null) {
            ticker.shutdownNow();
        }
    }

    @Override
    public void copyDone(dev.kopi.copy.CopyResult result) {
        stopTicker();
    }

    @Override
    public void copyFailed(Exception error) {
        stopTicker();
    }

    static final class Bar {
        final String prefix;
        final long total;
        final long start = System.nanoTime();
        long done;
        String finalLabel;

        Bar(String prefix, long total) {
            this.prefix = prefix;
            this.total = total;
        }
    }

    /** A line above the bars: the bars finished so far are frozen, then the line is printed. */
    private synchronized void line(String s) {
        if (tty) {
            redraw(true);
            bars.clear();
            drawnLines = 0;
        }
        out.println(s);
        out.flush();
    }

    private Bar find(BlobInfo info) {
        for (int i = bars.size() - 1; i >= 0; i--) {
            if (bars.get(i).prefix.equals(prefix(info, false)) || bars.get(i).prefix.equals(prefix(info, true))) {
                return bars.get(i);
            }
        }
        return null;
    }

    private void redraw(boolean force) {
        long now = System.nanoTime();
        if (!force && now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        StringBuilder sb = new StringBuilder();
        if (drawnLines > 0) {
            sb.append("\033[").append(drawnLines).append('F');
        }
        for (Bar b : bars) {
            sb.append("\033[2K").append(render(b, now)).append('\n');
        }
        drawnLines = bars.size();
        out.print(sb);
        out.flush();
    }

    /**
     * One bar as containers/image draws it with mpb (40 columns of {@code [=>-]}, {@code 46.0MiB / 120.0MiB},
     * {@code | 45.6 MiB/s}), plus the estimated time left; a blob of unknown size shows its count and rate.
     */
    static String render(Bar b, long now) {
        if (b.finalLabel != null) {
            return b.prefix + " " + b.finalLabel;
        }
        double secs = Math.max((now - b.start) / 1e9, 1e-3);
        double rate = b.done / secs;
        String speed = human(rate, " ") + "/s";
        if (b.total <= 0) {
            return b.prefix + " " + human(b.done, "") + " | " + speed;
        }
        int width = BAR_WIDTH - 2;
        int filled = (int) Math.min(width, Math.round((double) b.done * width / Math.max(1, b.total)));
        String bar = "[" + "=".repeat(Math.max(0, filled - 1)) + (filled > 0 ? ">" : "")
                + "-".repeat(width - filled) + "]";
        String eta = rate > 0 ? " | ETA " + duration((long) Math.ceil((b.total - b.done) / rate)) : "";
        return b.prefix + " " + bar + " " + human(b.done, "") + " / " + human(b.total, "") + " | " + speed + eta;
    }

    /** Bar width with its brackets, mpb's {@code WithWidth(40)} in containers/image. */
    static final int BAR_WIDTH = 40;

    /** mpb's {@code SizeB1024} with {@code %.1f}: 46.0MiB (or {@code "% .1f"}: 46.0 MiB). */
    static String human(double bytes, String space) {
        String[] units = {"b", "KiB", "MiB", "GiB", "TiB"};
        int u = 0;
        while (bytes >= 1024 && u < units.length - 1) {
            bytes /= 1024;
            u++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f%s%s", bytes, space, units[u]);
    }

    /** A size in the periodic progress lines: 1.5 MiB, 10.0 B. */
    static String plain(long bytes) {
        String s = human(bytes, " ");
        return s.endsWith(" b") ? s.substring(0, s.length() - 1) + "B" : s;
    }

    /** Go's time.Duration rounded to seconds: 45s, 2m5s, 1h0m3s. */
    static String duration(long seconds) {
        long h = seconds / 3600;
        long m = seconds % 3600 / 60;
        long s = seconds % 60;
        return h > 0 ? h + "h" + m + "m" + s + "s" : m > 0 ? m + "m" + s + "s" : s + "s";
    }

    @Override
    public void gettingSignatures() {
        line("Getting image source signatures");
    }

    @Override
    public void gettingListSignatures() {
        line("Getting image list signatures");
    }

    @Override
    public void checkingSignatureSupport(boolean list) {
        line(list ? "Checking if image list destination supports signatures"
                : "Checking if image destination supports signatures");
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
    public synchronized void blobStarted(BlobInfo info, boolean isConfig) {
        if (!tty) {
            out.println("Copying " + kind(isConfig) + " " + info.digest());
            out.flush();
            if (ticker != null) {
                active.put(info.digest().toString(), new Bar(prefix(info, isConfig), info.size()));
            }
            return;
        }
        bars.add(new Bar(prefix(info, isConfig), info.size()));
        redraw(true);
    }

    @Override
    public synchronized void blobProgress(BlobInfo info, long bytesDone) {
        if (!tty) {
            Bar a = active.get(info.digest().toString());
            if (a != null) {
                a.done = bytesDone;
            }
            return;
        }
        Bar b = find(info);
        if (b != null) {
            b.done = bytesDone;
            redraw(false);
        }
    }

    @Override
    public synchronized void blobDone(BlobInfo info, boolean isConfig) {
        finish(info, "done");
    }

    @Override
    public synchronized void blobSkipped(BlobInfo info, boolean isConfig) {
        finish(info, "skipped: already exists");
    }

    private void finish(BlobInfo info, String label) {
        if (!tty) {
            active.remove(info.digest().toString());
            return;
        }
        Bar b = find(info);
        if (b != null) {
            b.finalLabel = label;
            redraw(true);
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
    public void creatingSignature(String message, int index, int count) {
        line(count == 1 ? "Creating signature: " + message : "Creating signature " + index + ": " + message);
    }

    @Override
    public void storingSignatures() {
        line("Storing signatures");
    }

    @Override
    public void storingListSignatures() {
        line("Storing list signatures");
    }

    @Override
    public void copyingReferrer(Digest referrer, Digest subject) {
        line("Copying referrer " + referrer + " of " + subject);
    }

    @Override
    public void copyingDigestTag(String tag, Digest manifest) {
        line("Copying digest tag " + tag + " (" + manifest + ")");
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
