package dev.kopi.it;

import java.nio.file.Path;

/** The four local transports and how a test names an image in each. */
public enum LocalTransport {
    DIR("dir"),
    OCI("oci"),
    OCI_ARCHIVE("oci-archive"),
    DOCKER_ARCHIVE("docker-archive");

    /** The tag the tests use inside oci layouts and archives. */
    public static final String TAG = "t1";

    private final String prefix;

    LocalTransport(String prefix) {
        this.prefix = prefix;
    }

    public String prefix() {
        return prefix;
    }

    /** Whether the transport can store an image index ({@code --all}); docker-archive cannot. */
    public boolean holdsIndex() {
        return this != DOCKER_ARCHIVE;
    }

    /** Whether this transport stores Docker v2s2 manifests only (docker-archive; layers uncompressed). */
    public boolean isDockerFormat() {
        return this == DOCKER_ARCHIVE;
    }

    /**
     * Whether a default copy from {@code src} (holding an OCI image, or a v2s2 one for docker-archive) to this
     * transport converts the manifest: oci and oci-archive store OCI, docker-archive stores v2s2, dir stores either.
     */
    public boolean convertsFrom(LocalTransport src) {
        return switch (this) {
            case DIR -> false;
            case OCI, OCI_ARCHIVE -> src.isDockerFormat();
            case DOCKER_ARCHIVE -> !src.isDockerFormat();
        };
    }

    public boolean isArchive() {
        return this == OCI_ARCHIVE || this == DOCKER_ARCHIVE;
    }

    /** The file or directory that holds image {@code name} under {@code base}. */
    public Path path(Path base, String name) {
        return isArchive() ? base.resolve(name + ".tar") : base.resolve(name);
    }

    /** A reference to image {@code name} (lowercase) under {@code base}, tagged {@link #TAG} where the transport can. */
    public String ref(Path base, String name) {
        Path p = path(base, name);
        return switch (this) {
            case DIR -> "dir:" + p;
            case OCI, OCI_ARCHIVE -> prefix + ":" + p + ":" + TAG;
            case DOCKER_ARCHIVE -> "docker-archive:" + p + ":kopi.test/" + name + ":" + TAG;
        };
    }

    @Override
    public String toString() {
        return prefix;
    }
}
