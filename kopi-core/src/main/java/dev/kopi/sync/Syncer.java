package dev.kopi.sync;

import dev.kopi.Kopi;
import dev.kopi.blob.BlobInfo;
import dev.kopi.copy.CopyListener;
import dev.kopi.copy.CopyOptions;
import dev.kopi.copy.CopyResult;
import dev.kopi.copy.MultiArch;
import dev.kopi.digest.Digest;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.image.RawManifest;
import dev.kopi.internal.go.GoStrconv;
import dev.kopi.internal.path.LocalPaths;
import dev.kopi.manifest.ManifestList;
import dev.kopi.manifest.Manifests;
import dev.kopi.manifest.MediaTypes;
import dev.kopi.manifest.PlatformMatcher;
import dev.kopi.reference.DockerReference;
import dev.kopi.sync.ImageOutcome.Status;
import dev.kopi.sync.SyncListener.Level;
import dev.kopi.sync.SyncListener.SyncImage;
import dev.kopi.sync.SyncPlanner.SourceGroup;
import dev.kopi.transport.ImageContext;
import dev.kopi.transport.ImageReference;
import dev.kopi.transport.ImageSource;
import dev.kopi.transport.dir.DirTransport;
import dev.kopi.transport.dockerarchive.DockerArchiveBatch;
import dev.kopi.transport.dockerarchive.DockerArchiveReference;
import dev.kopi.transport.ociarchive.OciArchiveBatch;
import dev.kopi.transport.docker.DockerRegistry;
import dev.kopi.transport.docker.DockerTransport;
import dev.kopi.transport.docker.RegistrySession;
import dev.kopi.transport.tarball.GoCompat;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a sync: plans the images (see {@link SyncPlanner}), names each destination as skopeo does, and copies the
 * images, several at once when {@link SyncOptions#jobs()} allows, within one {@link RegistrySession} (one client,
 * token and connection pool per repository, each blob checked and moved once per run). An image whose manifest
 * the destination registry already has is skipped after one HEAD request.
 */
public final class Syncer {
    private final SyncOptions options;
    private final SyncListener listener;

    private Syncer(SyncOptions options) {
        this.options = options;
        this.listener = options.listener();
    }

    /**
     * Syncs {@code source} (a repository or image, a directory, or a YAML file, per
     * {@link SyncOptions#sourceTransport()}) to {@code destination} (a registry path or a directory).
     *
     * @throws SyncFailedException when an image failed (the first one without keep-going; a summary with it)
     * @throws ImageException for bad options or a source that cannot be listed
     */
    public static SyncResult sync(String source, String destination, SyncOptions options) throws IOException {
        return new Syncer(options).run(source, destination);
    }

    private void log(Level level, String msg, Map<String, String> fields) {
        listener.log(level, msg, fields);
    }

    private static Map<String, String> fromTo(String from, String to) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("from", from);
        f.put("to", to);
        return f;
    }

    /** Checks the transports as skopeo does, with its texts. */
    static void checkTransports(String src, String dest) throws ImageException {
        if (src == null || src.isEmpty()) {
            throw ImageException.invalid("A source transport must be specified");
        }
        if (!List.of("docker", "dir", "yaml", "oci").contains(src)) {
            throw ImageException.invalid(GoStrconv.quote(src) + " is not a valid source transport");
        }
        if (dest == null || dest.isEmpty()) {
            throw ImageException.invalid("A destination transport must be specified");
        }
        if (!List.of("docker", "dir", "oci", "oci-archive", "docker-archive").contains(dest)) {
            throw ImageException.invalid(GoStrconv.quote(dest) + " is not a valid destination transport");
        }
        if (src.equals("dir") && dest.equals("dir")) {
            throw ImageException.unsupported("sync from 'dir' to 'dir' not implemented, consider using rsync instead");
        }
    }

    private record Item(SourceGroup group, int index, ImageReference ref) {
    }

    private SyncResult run(String source, String destination) throws IOException {
        long t0 = System.nanoTime();
        checkTransports(options.sourceTransport(), options.destinationTransport());
        CopyOptions base = options.copy();
        RegistrySession session = RegistrySession.open();
        try {
            return run(source, destination, base, session, dev.kopi.transport.LocalBlobs.open(), t0);
        } finally {
            session.close();
        }
    }

    private SyncResult run(String source, String destination, CopyOptions base, RegistrySession session,
            dev.kopi.transport.LocalBlobs localBlobs, long t0) throws IOException {
        List<SourceGroup> groups;
        try (RegistrySession.Binding b = session.bind()) {
            groups = options.retry().run(() -> new SyncPlanner(listener)
                    .plan(source, options.sourceTransport(), base.sourceContext()));
        }
        if (options.dryRun()) {
            log(Level.WARNING, "Running in dry-run mode", Map.of());
        }
        List<Item> items = new ArrayList<>();
        for (SourceGroup g : groups) {
            for (int i = 0; i < g.refs().size(); i++) {
                ImageReference r = g.refs().get(i);
                String tag = r.dockerReference().flatMap(DockerReference::tag).orElse(null);
                if (options.wantsTag(tag) && options.shard().owns(r.imageName())) {
                    items.add(new Item(g, i, r));
                }
            }
        }
        Writer digests = null;
        if (options.digestFile() != null && !options.dryRun()) {
            digests = openDigestFile(options.digestFile());
        }
        ImageOutcome[] outcomes = new ImageOutcome[items.size()];
        AtomicReference<ImageException> fatal = new AtomicReference<>();
        List<Future<?>> running = new java.util.concurrent.CopyOnWriteArrayList<>();
        // Images written into one OCI layout share its index.json, and those written into one archive its tar
        // stream: one at a time (blobs are still shared).
        int jobs = List.of("oci", "oci-archive", "docker-archive").contains(options.destinationTransport()) ? 1
                : Math.max(1, options.jobs());
        ExecutorService pool = Executors.newFixedThreadPool(jobs, r -> {
            Thread t = new Thread(r, "kopi-sync");
            t.setDaemon(true);
            return t;
        });
        Semaphore slots = new Semaphore(jobs);
        long deduplicated;
        Archive archive = null;
        try {
            if (!options.dryRun() && !items.isEmpty()) {
                archive = Archive.open(options.destinationTransport(), destination,
                        options.copy().destinationContext());
            }
            try {
                for (int n = 0; n < items.size() && fatal.get() == null; n++) {
                    Item item = items.get(n);
                    ImageReference destRef;
                    String destName;
                    try {
                        Dest d = destinationFor(item, destination, archive);
                        destRef = d.ref();
                        destName = d.name();
                    } catch (ImageException e) {
                        fatal.compareAndSet(null, e);
                        break;
                    }
                    SyncImage image = new SyncImage(item.ref().imageName(), destName, item.index() + 1,
                            item.group().refs().size());
                    if (options.dryRun()) {
                        log(Level.INFO, "Would have copied image ref " + image.index() + "/" + image.count(),
                                fromTo(image.source(), image.destination()));
                        outcomes[n] = new ImageOutcome(image.source(), image.destination(), Status.DRY_RUN, null, 0,
                                null);
                        continue;
                    }
                    try {
                        slots.acquire();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        fatal.compareAndSet(null, new ImageException(ErrorCode.CANCELLED, "sync interrupted"));
                        break;
                    }
                    if (fatal.get() != null) {
                        slots.release();
                        break;
                    }
                    int slot = n;
                    Writer df = digests;
                    running.add(pool.submit(() -> {
                        try (RegistrySession.Binding b = session.bind(); AutoCloseable l = localBlobs.bind()) {
                            outcomes[slot] = syncOne(item, destRef, image, df, fatal);
                            if (outcomes[slot].status() == Status.FAILED && !options.keepGoing()) {
                                // Stop the others: an interrupted copy leaves its destination as it was.
                                for (Future<?> f : running) {
                                    f.cancel(true);
                                }
                            }
                        } catch (Exception e) {
                            throw new IllegalStateException(e); // syncOne reports its failures; closing cannot fail
                        } finally {
                            slots.release();
                        }
                        return null;
                    }));
                }
                for (Future<?> f : new ArrayList<>(running)) {
                    try {
                        f.get();
                    } catch (java.util.concurrent.CancellationException e) {
                        // stopped after another image failed
                    } catch (java.util.concurrent.ExecutionException e) {
                        Throwable c = e.getCause();
                        if (c instanceof RuntimeException re) {
                            throw re;
                        }
                        throw new IllegalStateException(c);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        for (Future<?> g : running) {
                            g.cancel(true);
                        }
                        fatal.compareAndSet(null, new ImageException(ErrorCode.CANCELLED, "sync interrupted"));
                    }
                }
            } finally {
                pool.shutdownNow();
            }
            deduplicated = session.blobsDeduplicated() + localBlobs.reused();
            if (archive != null && fatal.get() == null) {
                boolean any = false;
                for (ImageOutcome o : outcomes) {
                    any |= o != null && o.status() == Status.COPIED;
                }
                if (any) {
                    // Every image of the run, or with --keep-going every one that did not fail: one rename.
                    try {
                        archive.commit();
                    } catch (IOException e) {
                        fatal.compareAndSet(null, e instanceof ImageException ie ? ie
                                : ImageException.wrap("writing archive " + GoStrconv.quote(destination), e));
                    }
                }
            }
        } finally {
            if (archive != null) {
                archive.close();
            }
            if (digests != null) {
                try {
                    digests.close();
                } catch (IOException e) {
                    fatal.compareAndSet(null, ImageException.wrap("closing digest file", e));
                }
            }
        }
        List<ImageOutcome> done = new ArrayList<>();
        for (ImageOutcome o : outcomes) {
            if (o != null) {
                done.add(o);
            }
        }
        SyncResult result = new SyncResult(done, groups.size(), options.shard(),
                Duration.ofNanos(System.nanoTime() - t0), deduplicated);
        ImageException f = fatal.get();
        if (f != null) {
            throw new SyncFailedException(f.code(), f.getMessage(), f, result);
        }
        long synced = result.synced();
        log(Level.INFO, (options.dryRun() ? "Would have synced " : "Synced ") + synced + " images from "
                + groups.size() + " sources", Map.of());
        if (result.failed() > 0) {
            throw new SyncFailedException(ErrorCode.IO,
                    "Sync failed due to previous reported error(s) for one or more images", null, result);
        }
        return result;
    }

    /** Copies (or skips) one image; a failure is reported in the outcome, and as fatal without keep-going. */
    private ImageOutcome syncOne(Item item, ImageReference destRef, SyncImage image, Writer digests,
            AtomicReference<ImageException> fatal) {
        log(Level.INFO, "Copying image ref " + image.index() + "/" + image.count(),
                fromTo(image.source(), image.destination()));
        CopyListener perImage = listener.imageStarted(image);
        AtomicLong bytes = new AtomicLong();
        CopyListener counting = new CountingListener(perImage, bytes);
        CopyOptions copy = options.copy().withContexts(item.group().context(), options.copy().destinationContext())
                .withListener(counting);
        ImageOutcome outcome;
        try {
            Optional<Digest> upToDate;
            try {
                upToDate = upToDate(item.ref(), destRef, copy);
            } catch (IOException | RuntimeException e) {
                // The copy finds and reports the problem, if there is one.
                dev.kopi.log.Log.debug(() -> "Checking whether " + image.destination() + " is up to date: " + e);
                upToDate = Optional.empty();
            }
            if (upToDate.isPresent()) {
                outcome = new ImageOutcome(image.source(), image.destination(), Status.SKIPPED, upToDate.get(), 0,
                        null);
            } else {
                CopyResult r = options.retry().run(() -> Kopi.copy(item.ref(), destRef, copy));
                outcome = new ImageOutcome(image.source(), image.destination(), Status.COPIED, r.manifestDigest(),
                        bytes.get(), null);
            }
            if (digests != null) {
                synchronized (digests) {
                    try {
                        digests.write(outcome.digest() + " " + image.destination() + "\n");
                        digests.flush();
                    } catch (IOException e) {
                        throw ImageException.wrap("Failed to write digest to file "
                                + GoStrconv.quote(options.digestFile().toString()), e);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage();
            boolean cancelled = e instanceof ImageException ie && ie.code() == ErrorCode.CANCELLED;
            if (!options.keepGoing()) {
                if (!cancelled || fatal.get() == null) {
                    ErrorCode code = e instanceof ImageException ie ? ie.code() : ErrorCode.IO;
                    fatal.compareAndSet(null, new ImageException(code, "Error copying ref "
                            + GoStrconv.quote(image.source()) + ": " + msg, e));
                }
            } else {
                Map<String, String> f = new LinkedHashMap<>();
                f.put("error", msg);
                log(Level.ERROR, "Error copying ref " + GoStrconv.quote(image.source()), f);
            }
            outcome = new ImageOutcome(image.source(), image.destination(), Status.FAILED, null, bytes.get(), msg);
        }
        listener.imageFinished(image, outcome);
        return outcome;
    }

    /**
     * The destination's manifest digest when it already has exactly what the copy would write there: a registry
     * destination, no signing, and the source's manifest (or, for a list copied as one image, the instance for this
     * platform) without conversion. The trust policy must allow the source. Anything else: empty (copy it).
     */
    private Optional<Digest> upToDate(ImageReference src, ImageReference dest, CopyOptions copy) throws IOException {
        String destTransport = dest.transport().name();
        if (!options.skipUpToDate() || !(destTransport.equals("docker") || destTransport.equals("oci")
                || destTransport.equals("dir")) || !copy.signers().isEmpty()) {
            return Optional.empty();
        }
        if (destTransport.equals("dir") && (copy.destinationContext().dirForceCompress()
                || copy.destinationContext().dirForceDecompress())) {
            return Optional.empty(); // the copy changes the layers, and so the manifest
        }
        if (copy.multiArch() != MultiArch.SYSTEM && copy.multiArch() != MultiArch.ALL) {
            return Optional.empty();
        }
        Optional<Digest> there;
        if (destTransport.equals("docker")) {
            DockerReference destName = dest.dockerReference().orElse(null);
            if (destName == null) {
                return Optional.empty();
            }
            there = DockerRegistry.destinationManifestDigest(destName, copy.destinationContext());
        } else if (destTransport.equals("dir")) {
            there = dirManifestDigest(Path.of(dest.stringWithinTransport()));
        } else {
            there = localManifestDigest(dest, copy.destinationContext());
        }
        if (there.isEmpty()) {
            return Optional.empty();
        }
        Digest expected;
        try (ImageSource s = src.newImageSource(copy.sourceContext())) {
            RawManifest raw = s.fetchManifest(Optional.empty());
            if (copy.policy() != null) {
                try {
                    copy.policy().requireAllowed(dev.kopi.policy.PolicyImage.of(src, raw.bytes(),
                            s.fetchSignatures(Optional.empty())));
                } catch (ImageException e) {
                    return Optional.empty(); // the copy reports it
                }
            }
            String type = Manifests.effectiveMimeType(raw.bytes(), raw.mediaType());
            String forced = copy.forceManifestType();
            if (!MediaTypes.isList(type)) {
                if (forced != null && !forced.equals(type)) {
                    return Optional.empty();
                }
                expected = Manifests.digest(raw.bytes());
            } else if (copy.multiArch() == MultiArch.ALL) {
                if (forced != null) {
                    return Optional.empty();
                }
                expected = Manifests.digest(raw.bytes());
            } else {
                if (forced != null) {
                    return Optional.empty();
                }
                ManifestList list = (ManifestList) Manifests.parse(raw.bytes(), type);
                ImageContext c = copy.sourceContext();
                expected = PlatformMatcher.chooseInstance(list, c.overrideOs(), c.overrideArch(), c.overrideVariant());
            }
        }
        if (!expected.equals(there.get())) {
            return Optional.empty();
        }
        return there;
    }

    /** The digest of the manifest of a {@code dir:} image, if the directory has one. */
    static Optional<Digest> dirManifestDigest(Path dir) throws IOException {
        Path m = dir.resolve("manifest.json");
        if (!Files.isRegularFile(m)) {
            return Optional.empty();
        }
        byte[] bytes;
        try (java.io.InputStream in = Files.newInputStream(m)) {
            bytes = dev.kopi.digest.SizeLimits.readAtMost(in, dev.kopi.digest.SizeLimits.MANIFEST, "manifest");
        }
        return Optional.of(Manifests.digest(bytes));
    }

    /** The digest of the manifest a local destination (an OCI layout) already has under the name, if any. */
    private static Optional<Digest> localManifestDigest(ImageReference dest, ImageContext ctx) throws IOException {
        if (!Files.exists(Path.of(dest.stringWithinTransport().substring(0,
                dest.stringWithinTransport().indexOf(':'))).resolve("index.json"))) {
            return Optional.empty();
        }
        try (ImageSource s = dest.newImageSource(ctx)) {
            return Optional.of(Manifests.digest(s.fetchManifest(Optional.empty()).bytes()));
        } catch (ImageException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Where one image goes: the reference copied to, and its name as reported. */
    private record Dest(ImageReference ref, String name) {
    }

    /** The destination of one image, by the destination transport. */
    private Dest destinationFor(Item item, String destination, Archive archive) throws ImageException {
        String transport = options.destinationTransport();
        switch (transport) {
            case "oci" -> {
                ImageReference r = ociDestination(destination, destinationName(item, ""));
                return new Dest(r, r.imageName());
            }
            case "oci-archive" -> {
                String name = withoutLeadingSlash(destinationName(item, ""));
                ImageReference r = ociDestination(archive == null ? destination : archive.oci.layout().toString(),
                        name);
                return new Dest(r, "oci-archive:" + destination + ":" + name);
            }
            case "docker-archive" -> {
                String name = withoutLeadingSlash(destinationName(item, ""));
                ImageReference r;
                try {
                    DockerReference tag = DockerReference.parseNormalized(name);
                    r = archive == null ? DockerArchiveReference.of(destination, tag, -1)
                            : archive.docker.reference(tag);
                } catch (ImageException e) {
                    throw new ImageException(e.code(), "Cannot obtain a valid image reference for transport"
                            + " \"docker-archive\" and reference " + GoStrconv.quote(destination + ":" + name) + ": "
                            + e.getMessage(), e);
                }
                return new Dest(r, r.imageName());
            }
            default -> {
                ImageReference r = destinationReference(destinationName(item, destination), transport,
                        options.incremental());
                return new Dest(r, r.imageName());
            }
        }
    }

    private static String withoutLeadingSlash(String name) {
        return name.startsWith("/") ? name.substring(1) : name;
    }

    /**
     * {@code --dest oci-archive} / {@code --dest docker-archive} (beyond skopeo): every image of the run goes into
     * one archive file, replaced once at the end (an existing archive's images stay, a name written again moves
     * to the new image).
     */
    private static final class Archive {
        final OciArchiveBatch oci;
        final DockerArchiveBatch docker;

        private Archive(OciArchiveBatch oci, DockerArchiveBatch docker) {
            this.oci = oci;
            this.docker = docker;
        }

        /** The archive of the transport, or null when the destination is not an archive. */
        static Archive open(String transport, String file, ImageContext ctx) throws IOException {
            return switch (transport) {
                case "oci-archive" -> new Archive(OciArchiveBatch.open(file, ctx), null);
                case "docker-archive" -> new Archive(null, DockerArchiveBatch.open(file, ctx));
                default -> null;
            };
        }

        void commit() throws IOException {
            if (oci != null) {
                oci.commit();
            } else {
                docker.commit();
            }
        }

        void close() {
            if (oci != null) {
                oci.close();
            } else {
                try {
                    docker.close();
                } catch (IOException e) {
                    dev.kopi.log.Log.debug(() -> "Removing the unfinished archive: " + e);
                }
            }
        }
    }

    /** skopeo's destination naming: the source's name (its last component unless scoped) under DESTINATION. */
    private String destinationName(Item item, String destination) {
        ImageReference ref = item.ref();
        String suffix;
        String pair = item.group().destinationRepo();
        if (pair != null) {
            // destination-repos (a kopi extension): the path given, whatever --scoped says
            DockerReference named = ref.dockerReference().orElseThrow();
            String at = named.tag().map(t -> ":" + t).orElseGet(() -> named.digest().map(d -> "@" + d).orElse(""));
            return GoCompat.joinPath(destination, pair + at) + options.appendSuffix();
        }
        if (item.group().ociLayout() != null) {
            // oci:LAYOUT:NAME: a NAME with a tag (app:v1) stays as it is; a bare tag (v1) is named after the layout.
            String within = ref.stringWithinTransport();
            String refName = within.substring(within.indexOf(':') + 1);
            suffix = refName.contains(":") ? refName : goBase(item.group().ociLayout()) + ":" + refName;
        } else if (item.group().dirBasePath() == null) {
            suffix = ref.dockerReference().map(DockerReference::toString).orElse(ref.stringWithinTransport());
        } else {
            String base = item.group().dirBasePath();
            String within = ref.stringWithinTransport();
            suffix = within.startsWith(base) ? within.substring(base.length()) : within;
            if (suffix.isEmpty()) {
                suffix = goBase(base);
            }
        }
        if (!options.scoped()) {
            suffix = goBase(suffix);
        }
        return GoCompat.joinPath(destination, suffix) + options.appendSuffix();
    }

    /** Go's {@code path.Base}. */
    static String goBase(String p) {
        if (p.isEmpty()) {
            return ".";
        }
        String s = p;
        while (s.length() > 1 && s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        if (s.equals("/")) {
            return "/";
        }
        int i = s.lastIndexOf('/');
        return i >= 0 ? s.substring(i + 1) : s;
    }

    /**
     * {@code oci:LAYOUT:NAME} (a kopi extension): every image of the run goes into one layout, sharing its blobs,
     * named by what would have been its path below a registry destination ({@code app:v1}, or scoped
     * {@code quay.io/org/app:v1}).
     */
    static ImageReference ociDestination(String layout, String name) throws ImageException {
        String n = name.startsWith("/") ? name.substring(1) : name;
        String within = layout + ":" + n;
        try {
            return dev.kopi.transport.Transports.parseImageName("oci:" + within);
        } catch (ImageException e) {
            throw new ImageException(e.code(), "Cannot obtain a valid image reference for transport \"oci\" and"
                    + " reference " + GoStrconv.quote(within) + ": " + e.getMessage(), e);
        }
    }

    /** skopeo's destinationReference: a registry name, or a new directory (an existing one is refused). */
    static ImageReference destinationReference(String destination, String transport) throws ImageException {
        return destinationReference(destination, transport, false);
    }

    /**
     * {@link #destinationReference(String, String)}; with {@code existingOk} ({@code --incremental}), an existing
     * directory is used (the copy replaces it as a whole, or the image is skipped when it is up to date).
     */
    static ImageReference destinationReference(String destination, String transport, boolean existingOk)
            throws ImageException {
        switch (transport) {
            case "docker" -> {
                String within = "//" + destination;
                try {
                    return DockerTransport.INSTANCE.parseReference(within);
                } catch (ImageException e) {
                    throw new ImageException(e.code(), "Cannot obtain a valid image reference for transport"
                            + " \"docker\" and reference " + GoStrconv.quote(within) + ": " + e.getMessage(), e);
                }
            }
            case "dir" -> {
                Path p = Path.of(destination);
                if (existingOk && Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    try {
                        return DirTransport.INSTANCE.parseReference(destination);
                    } catch (ImageException e) {
                        throw new ImageException(e.code(), "Cannot obtain a valid image reference for transport"
                                + " \"dir\" and reference " + GoStrconv.quote(destination) + ": " + e.getMessage(), e);
                    }
                }
                if (Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    throw ImageException.invalid("Refusing to overwrite destination directory "
                            + GoStrconv.quote(destination));
                }
                try {
                    Files.createDirectories(p, PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rwxr-xr-x")));
                } catch (IOException e) {
                    throw ImageException.wrap("Error creating directory for image " + destination,
                            new IOException(LocalPaths.goError("mkdir", p, e), e));
                }
                try {
                    return DirTransport.INSTANCE.parseReference(destination);
                } catch (ImageException e) {
                    throw new ImageException(e.code(), "Cannot obtain a valid image reference for transport"
                            + " \"dir\" and reference " + GoStrconv.quote(destination) + ": " + e.getMessage(), e);
                }
            }
            default -> throw ImageException.invalid(GoStrconv.quote(transport)
                    + " is not a valid destination transport");
        }
    }

    private static Writer openDigestFile(Path file) throws ImageException {
        try {
            return Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw ImageException.wrap("Error creating digest file", new IOException(LocalPaths.goError("open", file, e),
                    e));
        }
    }

    /** Forwards every event and counts the bytes of blobs written. */
    private static final class CountingListener implements CopyListener {
        private final CopyListener d;
        private final AtomicLong bytes;
        private final Map<BlobInfo, Long> progress = new java.util.concurrent.ConcurrentHashMap<>();

        CountingListener(CopyListener d, AtomicLong bytes) {
            this.d = d;
            this.bytes = bytes;
        }

        @Override public void gettingSignatures() { d.gettingSignatures(); }
        @Override public void gettingListSignatures() { d.gettingListSignatures(); }
        @Override public void checkingSignatureSupport(boolean list) { d.checkingSignatureSupport(list); }
        @Override public void copyingImages(int count, int total) { d.copyingImages(count, total); }
        @Override public void copyingImage(Digest instance, int index, int count) {
            d.copyingImage(instance, index, count);
        }
        @Override public void blobStarted(BlobInfo info, boolean isConfig) { d.blobStarted(info, isConfig); }

        @Override
        public void blobProgress(BlobInfo info, long bytesDone) {
            progress.put(info, bytesDone);
            d.blobProgress(info, bytesDone);
        }

        @Override
        public void blobDone(BlobInfo info, boolean isConfig) {
            Long p = progress.remove(info);
            bytes.addAndGet(info.size() >= 0 ? info.size() : p == null ? 0 : p);
            d.blobDone(info, isConfig);
        }

        @Override public void blobSkipped(BlobInfo info, boolean isConfig) { d.blobSkipped(info, isConfig); }
        @Override public void writingManifest() { d.writingManifest(); }
        @Override public void writingManifestList() { d.writingManifestList(); }
        @Override public void storingSignatures() { d.storingSignatures(); }
        @Override public void storingListSignatures() { d.storingListSignatures(); }
        @Override public void creatingSignature(String message, int index, int count) {
            d.creatingSignature(message, index, count);
        }
        @Override public void copyingReferrer(Digest referrer, Digest subject) { d.copyingReferrer(referrer, subject); }
        @Override public void copyingDigestTag(String tag, Digest manifest) { d.copyingDigestTag(tag, manifest); }
        @Override public void copyDone(CopyResult result) { d.copyDone(result); }
        @Override public void copyFailed(Exception error) { d.copyFailed(error); }
    }
}
