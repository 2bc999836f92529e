package dev.kopi.it;

/** The source images every IT can use; all live in one OCI layout built by {@link Fixtures}. */
public enum TestImage {
    /** One 32 KiB layer. */
    SINGLE("single"),
    /** Three layers (64 KiB, 1 KiB, 200 KiB of content). */
    MULTI("multi"),
    /** An OCI index of linux/amd64, linux/arm64/v8 and linux/arm/v7 images. */
    INDEX("index");

    private final String tag;

    TestImage(String tag) {
        this.tag = tag;
    }

    public String tag() {
        return tag;
    }

    public boolean isIndex() {
        return this == INDEX;
    }

    /** The {@code oci:} reference of the pristine fixture. */
    public String ociRef() {
        return "oci:" + Fixtures.layout() + ":" + tag;
    }
}
