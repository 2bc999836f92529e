package dev.kopi;

import dev.kopi.digest.Digest;
import dev.kopi.error.ImageException;
import dev.kopi.image.RawManifest;
import dev.kopi.template.GoStruct;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link Kopi#inspect} found: skopeo's inspect summary, and the raw manifest and config it was made from.
 * Immutable.
 */
public final class InspectResult {
    private final GoStruct output;
    private final RawManifest manifest;
    private final byte[] config;

    InspectResult(GoStruct output, RawManifest manifest, byte[] config) {
        this.output = Objects.requireNonNull(output, "output");
        this.manifest = Objects.requireNonNull(manifest, "manifest");
        this.config = config == null ? null : config.clone();
    }

    /**
     * The summary as a Go struct value ({@code inspect.Output}), for {@link dev.kopi.template.GoTemplate} or
     * {@link dev.kopi.template.GoJson}; field values are reachable through {@link GoStruct#field(String)}.
     */
    public GoStruct output() {
        return output;
    }

    /** The summary as JSON, indented exactly as {@code skopeo inspect} prints it (without the final newline). */
    public String json() {
        try {
            return dev.kopi.template.GoJson.marshalIndent(output, "    ");
        } catch (ImageException e) {
            throw new IllegalStateException("the inspect summary does not encode as JSON", e);
        }
    }

    /** The digest of the top-level manifest (the summary's Digest field), e.g. {@code sha256:0123...}. */
    public Digest digest() {
        try {
            return Digest.parse((String) output.field("Digest").value());
        } catch (ImageException e) {
            throw new IllegalStateException("the inspect summary has no valid digest", e);
        }
    }

    /** The summary's Layers: the digests of the layers as the manifest lists them. */
    @SuppressWarnings("unchecked")
    public List<String> layers() {
        Object v = output.field("Layers").value();
        return v instanceof List<?> l ? List.copyOf((List<String>) l) : List.of();
    }

    /** The top-level manifest, byte for byte (for a list: the list, as {@code skopeo inspect --raw} prints it). */
    public RawManifest manifest() {
        return manifest;
    }

    /** The config blob of the inspected image, byte for byte; empty for Docker schema1 images, which have none. */
    public Optional<byte[]> config() {
        return config == null ? Optional.empty() : Optional.of(config.clone());
    }
}
