package dev.kopi.transport;

import dev.kopi.error.InvalidReferenceException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The explicit list of known transports, and the {@code transport:reference} image-name grammar. */
public final class Transports {
    private static final Map<String, ImageTransport> ALL;

    static {
        Map<String, ImageTransport> m = new LinkedHashMap<>();
        for (ImageTransport t : List.<ImageTransport>of(
                dev.kopi.transport.dir.DirTransport.INSTANCE,
                dev.kopi.transport.oci.OciTransport.INSTANCE,
                dev.kopi.transport.ociarchive.OciArchiveTransport.INSTANCE,
                dev.kopi.transport.dockerarchive.DockerArchiveTransport.INSTANCE,
                dev.kopi.transport.docker.DockerTransport.INSTANCE,
                dev.kopi.transport.daemon.DockerDaemonTransport.INSTANCE,
                dev.kopi.transport.storage.StorageTransport.INSTANCE,
                dev.kopi.transport.sif.SifTransport.INSTANCE)) {
            if (m.put(t.name(), t) != null) {
                throw new IllegalStateException("duplicate transport " + t.name());
            }
        }
        ALL = Collections.unmodifiableMap(m);
    }

    private Transports() {
    }

    /** Known transport names, in registration order. */
    public static List<String> names() {
        return List.copyOf(ALL.keySet());
    }

    /** The transport called {@code name}, or null when there is none. */
    public static ImageTransport get(String name) {
        return ALL.get(name);
    }

    /**
     * Parses {@code transport:reference} with skopeo's errors: a missing colon gives
     * {@code Invalid image name "x", expected colon-separated transport:reference}.
     */
    public static ImageReference parseImageName(String imageName) throws InvalidReferenceException {
        int colon = imageName.indexOf(':');
        if (colon < 0) {
            throw new InvalidReferenceException("Invalid image name \"" + imageName
                    + "\", expected colon-separated transport:reference");
        }
        String name = imageName.substring(0, colon);
        ImageTransport t = ALL.get(name);
        if (t == null) {
            throw new InvalidReferenceException("Invalid image name \"" + imageName + "\", unknown transport \""
                    + name + "\"");
        }
        return t.parseReference(imageName.substring(colon + 1));
    }
}
