package dev.kopi.transport.docker;

import dev.kopi.blob.BlobInfo;
import dev.kopi.config.Env;
import dev.kopi.config.RegistriesD;
import dev.kopi.reference.DockerReference;
import dev.kopi.blob.BlobStream;
import dev.kopi.digest.Digest;
import dev.kopi.error.ImageException;
import dev.kopi.image.RawManifest;
import dev.kopi.manifest.Descriptor;
import dev.kopi.manifest.ImageManifest;
import dev.kopi.manifest.Manifest;
import dev.kopi.manifest.Manifests;
import dev.kopi.signature.Signature;
import dev.kopi.transport.ImageReference;
import dev.kopi.transport.ImageSource;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/** Reads an image from a registry. */
final class DockerImageSource implements ImageSource, dev.kopi.transport.ReferrerSource {
    private final DockerImageReference ref;
    private final RegistryClient client;
    private final DockerReference physicalRef;
    private final RegistriesD registriesD;

    private RawManifest prefetched;

    DockerImageSource(DockerImageReference ref, RegistryClient client, DockerReference physicalRef,
            RegistriesD registriesD) {
        this.ref = ref;
        this.client = client;
        this.physicalRef = physicalRef;
        this.registriesD = registriesD;
    }

    /**
     * Opens the image at the first pull source (registries.conf mirrors, then the primary location) whose
     * registry has the manifest, as containers/image's newImageSource does: the manifest is read here, so a
     * missing image or refused credentials fail the opening. With one pull source its error is returned as is;
     * with mirrors, the mirrors' errors are listed before the primary location's. registries.d is read first (an
     * invalid one fails the opening, as in containers/image).
     */
    static DockerImageSource open(DockerImageReference ref, dev.kopi.transport.ImageContext ctx) throws IOException {
        RegistriesD registriesD = RegistriesD.load(Env.system(), ctx.registriesDir());
        String tagOrDigest = ref.tagOrDigest();
        String suffix = ref.ref().tag().map(t -> ":" + t).orElse("")
                + ref.ref().digest().map(d -> "@" + d).orElse("");
        java.util.List<RegistryClients.PullClient> clients = RegistryClients.pullSources(ref.ref(), ctx);
        if (clients.isEmpty()) {
            throw new ImageException(dev.kopi.error.ErrorCode.IO,
                    "Internal error: newImageSource returned without trying any endpoint");
        }
        java.util.List<String> failures = new java.util.ArrayList<>();
        IOException last = null;
        for (int i = 0; i < clients.size(); i++) {
            RegistryClient c = clients.get(i).client();
            try {
                RawManifest m = c.fetchManifest(tagOrDigest);
                DockerImageSource s = new DockerImageSource(ref, c, clients.get(i).reference(), registriesD);
                s.prefetched = m;
                for (int j = i + 1; j < clients.size(); j++) {
                    clients.get(j).client().close();
                }
                return s;
            } catch (IOException e) {
                c.close();
                if (i < clients.size() - 1) {
                    failures.add("[" + c.name() + suffix + ": " + e.getMessage() + "]");
                }
                last = e;
            }
        }
        if (clients.size() == 1) {
            throw last;
        }
        RegistryClient primary = clients.get(clients.size() - 1).client();
        throw ImageException.wrap("(Mirrors also failed: " + String.join("\n", failures) + "): " + primary.name()
                + suffix, last);
    }

    @Override
    public ImageReference reference() {
        return ref;
    }

    @Override
    public RawManifest fetchManifest(Optional<Digest> instance) throws IOException {
        RawManifest m;
        if (instance.isEmpty() && prefetched != null) {
            m = prefetched;
        } else {
            m = client.fetchManifest(instance.isPresent() ? instance.get().toString() : ref.tagOrDigest());
        }
        rememberBlobs(m);
        return m;
    }

    /** Records the blobs this repository holds, for mounts into other repositories of the same registry. */
    private void rememberBlobs(RawManifest m) {
        try {
            Manifest parsed = Manifests.parse(m.bytes(), m.mediaType());
            if (parsed instanceof ImageManifest im) {
                if (im.config() != null && im.config().digest() != null) {
                    BlobLocations.record(client.registry(), client.repository(), im.config().digest());
                }
                for (Descriptor d : im.layers()) {
                    BlobLocations.record(client.registry(), client.repository(), d.digest());
                }
            }
        } catch (ImageException | RuntimeException e) {
            // not ours to judge here: the copy parses (and reports) the manifest itself
        }
    }

    @Override
    public BlobStream openBlob(BlobInfo info) throws IOException {
        return new BlobStream(client.openBlob(info.digest(), info.size()), info.size());
    }

    /**
     * Lookaside signatures (registries.d) of the manifest, then its sigstore attachments when registries.d enables
     * them, read at the physical location (a mirror's, when the image came from one).
     */
    @Override
    public List<Signature> fetchSignatures(Optional<Digest> instance) throws IOException {
        return DockerSignatures.of(client, physicalRef, registriesD, false).read(manifestDigest(instance));
    }

    /** The instance digest, else the reference's sha256 digest, else the digest of the manifest. */
    private Digest manifestDigest(Optional<Digest> instance) throws IOException {
        if (instance.isPresent()) {
            return instance.get();
        }
        Optional<Digest> d = ref.ref().digest();
        if (d.isPresent() && d.get().algorithm() == dev.kopi.digest.DigestAlgorithm.SHA256) {
            return d.get();
        }
        return Manifests.digest(fetchManifest(Optional.empty()).bytes());
    }

    /**
     * The Referrers API's answer; where the registry has none, the OCI index under the referrers tag schema's tag
     * (none when the tag does not exist).
     */
    @Override
    public List<Descriptor> fetchReferrers(Digest subject) throws IOException {
        Optional<List<Descriptor>> api = client.fetchReferrers(subject);
        if (api.isPresent()) {
            return api.get();
        }
        String tag = dev.kopi.manifest.Referrers.fallbackTag(subject);
        Optional<RawManifest> m = client.fetchManifestIfPresent(tag);
        if (m.isEmpty()) {
            return List.of();
        }
        return dev.kopi.manifest.Referrers.parseIndex(m.get().bytes(), m.get().mediaType(),
                "referrers tag " + tag + " in " + client.name()).instances();
    }

    @Override
    public Optional<RawManifest> fetchTaggedManifest(String tag) throws IOException {
        return client.fetchManifestIfPresent(tag);
    }

    @Override
    public void close() {
        client.close();
    }
}
