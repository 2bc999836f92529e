/**
 * The read-only {@code sif:} transport: Singularity/Apptainer image files. {@link dev.kopi.transport.sif.SifFile}
 * reads the SIF header and descriptors (there is no Java SIF library), and the source converts the primary
 * squashfs partition with {@code fakeroot}, {@code unsquashfs} and {@code tar} into a one-layer OCI image, as
 * containers/image's {@code sif} package does.
 */
package dev.kopi.transport.sif;
