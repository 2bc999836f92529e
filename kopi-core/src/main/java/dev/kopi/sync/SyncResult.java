package dev.kopi.sync;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kopi.manifest.Manifests;
import java.time.Duration;
import java.util.List;

/**
 * The summary of a sync: every image's outcome, in source order, and totals.
 *
 * @param images the outcome of each image this run (or shard) handled
 * @param sources the number of sources (repositories, directories or YAML entries) the images came from
 * @param shard the part of the run this was
 * @param elapsed wall time of the run
 * @param blobsDeduplicated blob checks and transfers saved because another image of the run had the same blob
 */
public record SyncResult(List<ImageOutcome> images, int sources, Shard shard, Duration elapsed,
        long blobsDeduplicated) {
    /** Copies the list. */
    public SyncResult {
        images = List.copyOf(images);
    }

    private long count(ImageOutcome.Status s) {
        return images.stream().filter(i -> i.status() == s).count();
    }

    public long copied() {
        return count(ImageOutcome.Status.COPIED);
    }

    public long skipped() {
        return count(ImageOutcome.Status.SKIPPED);
    }

    public long failed() {
        return count(ImageOutcome.Status.FAILED);
    }

    /** Images synced: copied or found up to date (or, with {@code --dry-run}, that would have been copied). */
    public long synced() {
        return images.size() - failed();
    }

    /** Blob bytes moved in total. */
    public long bytes() {
        return images.stream().mapToLong(ImageOutcome::bytes).sum();
    }

    /** The failed images. */
    public List<ImageOutcome> failures() {
        return images.stream().filter(i -> i.status() == ImageOutcome.Status.FAILED).toList();
    }

    /** The summary as one JSON document ({@code --output json}). */
    public String toJson() {
        ObjectNode root = Manifests.JSON.createObjectNode();
        root.put("copied", copied());
        root.put("skipped", skipped());
        root.put("failed", failed());
        root.put("bytes", bytes());
        root.put("seconds", elapsed.toMillis() / 1000.0);
        root.put("sources", sources);
        root.put("shard", shard.toString());
        root.put("blobsDeduplicated", blobsDeduplicated);
        ArrayNode arr = root.putArray("images");
        for (ImageOutcome o : images) {
            ObjectNode n = arr.addObject();
            n.put("source", o.source());
            n.put("destination", o.destination());
            n.put("status", o.status().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
            if (o.digest() != null) {
                n.put("digest", o.digest().toString());
            }
            n.put("bytes", o.bytes());
            if (o.error() != null) {
                n.put("error", o.error());
            }
        }
        try {
            return Manifests.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
