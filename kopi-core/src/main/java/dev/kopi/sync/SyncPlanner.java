package dev.kopi.sync;

import dev.kopi.digest.Digest;
import dev.kopi.error.ImageException;
import dev.kopi.internal.go.GoStrconv;
import dev.kopi.internal.path.LocalPaths;
import dev.kopi.reference.DockerReference;
import dev.kopi.sync.SyncListener.Level;
import dev.kopi.transport.ImageContext;
import dev.kopi.transport.ImageReference;
import dev.kopi.transport.dir.DirTransport;
import dev.kopi.transport.docker.DockerImageReference;
import dev.kopi.transport.docker.DockerRegistry;
import dev.kopi.transport.tarball.GoCompat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Stream;

/**
 * Finds the images a sync copies, as skopeo's {@code imagesToCopy} does: the tags of a repository (or the one image
 * named), the {@code dir:} images under a directory, or the entries of a YAML file. Problems with one YAML entry are
 * logged and the entry skipped, as skopeo does; problems with the source as a whole fail.
 */
final class SyncPlanner {
    /**
     * The images of one source, all read with the same context.
     *
     * @param refs the images, in order
     * @param context how to reach them
     * @param dirBasePath the directory given as source ({@code --src dir}), else null
     * @param ociLayout the layout given as source ({@code --src oci}, a kopi extension), else null
     * @param destinationRepo the repository path below DESTINATION the images go to, from the YAML's
     *     {@code destination-repos} (a kopi extension), else null (skopeo's naming)
     */
    record SourceGroup(List<ImageReference> refs, ImageContext context, String dirBasePath, String ociLayout,
            String destinationRepo) {
        SourceGroup {
            refs = List.copyOf(refs);
        }

        SourceGroup(List<ImageReference> refs, ImageContext context, String dirBasePath) {
            this(refs, context, dirBasePath, null, null);
        }

        SourceGroup(List<ImageReference> refs, ImageContext context, String dirBasePath, String ociLayout) {
            this(refs, context, dirBasePath, ociLayout, null);
        }

        SourceGroup withRefs(List<ImageReference> kept) {
            return new SourceGroup(kept, context, dirBasePath, ociLayout, destinationRepo);
        }
    }

    private final SyncListener listener;

    SyncPlanner(SyncListener listener) {
        this.listener = listener;
    }

    private void log(Level level, String msg, String... kv) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            fields.put(kv[i], kv[i + 1]);
        }
        listener.log(level, msg, fields);
    }

    List<SourceGroup> plan(String source, String transport, ImageContext ctx) throws IOException {
        return switch (transport) {
            case "docker" -> List.of(fromDocker(source, ctx));
            case "dir" -> List.of(fromDir(source, ctx));
            case "yaml" -> fromYaml(source, ctx);
            case "oci" -> List.of(fromOci(source, ctx));
            default -> throw ImageException.invalid(GoStrconv.quote(transport) + " is not a valid source transport");
        };
    }

    private SourceGroup fromDocker(String source, ImageContext ctx) throws IOException {
        DockerReference named;
        try {
            named = DockerReference.parseNormalized(source);
        } catch (ImageException e) {
            throw new ImageException(e.code(), "Cannot obtain a valid image reference for transport \"docker\" and"
                    + " reference " + GoStrconv.quote(source) + ": " + e.getMessage(), e);
        }
        boolean tagged = !named.isNameOnly();
        log(Level.INFO, "Tag presence check", "imagename", source, "tagged", Boolean.toString(tagged));
        List<ImageReference> refs;
        if (tagged) {
            try {
                refs = List.of(DockerImageReference.of(named));
            } catch (ImageException e) {
                throw new ImageException(e.code(), "Cannot obtain a valid image reference for transport \"docker\""
                        + " and reference " + GoStrconv.quote(named.toString()) + ": " + e.getMessage(), e);
            }
        } else {
            refs = tagsOf(named, ctx);
            if (refs.isEmpty()) {
                throw ImageException.notFound("No images to sync found in " + GoStrconv.quote(source));
            }
        }
        return new SourceGroup(refs, ctx, null);
    }

    /** The tagged images of a repository, in the registry's order (tags that are no valid tag are logged). */
    private List<ImageReference> tagsOf(DockerReference repo, ImageContext ctx) throws IOException {
        log(Level.INFO, "Getting tags", "image", repo.name());
        List<String> tags;
        try {
            tags = DockerRegistry.listTags(repo, ctx);
        } catch (ImageException e) {
            throw new ImageException(e.code(), "Error determining repository tags for repo " + repo.name() + ": "
                    + e.getMessage(), e);
        }
        List<ImageReference> out = new ArrayList<>();
        for (String tag : tags) {
            DockerReference t;
            try {
                t = repo.withTag(tag);
            } catch (ImageException e) {
                log(Level.ERROR, "Error creating a tagged reference from registry tag list: " + e.getMessage(),
                        "repo", repo.name(), "tag", tag);
                continue;
            }
            out.add(DockerImageReference.of(t));
        }
        return out;
    }

    private SourceGroup fromDir(String source, ImageContext ctx) throws IOException {
        Path p = Path.of(source);
        if (!Files.exists(p)) {
            throw ImageException.notFound("Invalid source directory specified: "
                    + LocalPaths.goError("stat", p, new java.nio.file.NoSuchFileException(source)));
        }
        List<ImageReference> refs = new ArrayList<>();
        try {
            walk(source, true, refs);
        } catch (IOException e) {
            throw ImageException.wrap("Error walking the path " + GoStrconv.quote(source), e);
        }
        if (refs.isEmpty()) {
            throw ImageException.notFound("No images to sync found in " + GoStrconv.quote(source));
        }
        return new SourceGroup(refs, ctx, source);
    }

    /**
     * As filepath.WalkDir: entries in name order; a directory holding a {@code manifest.json} file is an image,
     * and its entries after that file are not visited.
     */
    private void walk(String dir, boolean root, List<ImageReference> out) throws IOException {
        Path p = Path.of(dir);
        if (!Files.isDirectory(p)) {
            if (root && p.getFileName() != null && p.getFileName().toString().equals("manifest.json")) {
                out.add(DirTransport.INSTANCE.parseReference(GoCompat.dirOf(dir)));
            }
            return;
        }
        List<String> names;
        try (Stream<Path> s = Files.list(p)) {
            names = s.map(x -> x.getFileName().toString()).sorted().toList();
        }
        for (String name : names) {
            String child = GoCompat.joinPath(dir, name);
            Path cp = Path.of(child);
            if (Files.isDirectory(cp, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                walk(child, false, out);
            } else if (name.equals("manifest.json")) {
                out.add(DirTransport.INSTANCE.parseReference(GoCompat.dirOf(child)));
                return;
            }
        }
    }

    /** Every image of an OCI layout that has a name ({@code org.opencontainers.image.ref.name}), in index order. */
    private SourceGroup fromOci(String source, ImageContext ctx) throws IOException {
        Path p = Path.of(source);
        if (!Files.isDirectory(p)) {
            throw ImageException.notFound("Invalid source directory specified: "
                    + LocalPaths.goError("stat", p, new java.nio.file.NoSuchFileException(source)));
        }
        dev.kopi.transport.oci.OciLayout layout = dev.kopi.transport.oci.OciLayout.at(p, ctx.ociSharedBlobDir());
        List<ImageReference> refs = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (dev.kopi.manifest.Descriptor d : layout.readIndex().instances()) {
            String name = d.annotations().get(dev.kopi.transport.oci.OciLayout.REF_NAME);
            if (name != null && !name.isEmpty() && seen.add(name)) {
                refs.add(dev.kopi.transport.Transports.parseImageName("oci:" + source + ":" + name));
            }
        }
        if (refs.isEmpty()) {
            throw ImageException.notFound("No images to sync found in " + GoStrconv.quote(source));
        }
        return new SourceGroup(refs, ctx, null, source);
    }

    private List<SourceGroup> fromYaml(String source, ImageContext ctx) throws IOException {
        YamlSource cfg = YamlSource.read(Path.of(source));
        for (Map.Entry<String, YamlSource.Registry> e : cfg.registries().entrySet()) {
            try {
                checkDestinationRepos(e.getKey(), e.getValue());
            } catch (ImageException ex) {
                throw new ImageException(ex.code(), "Invalid " + YamlSource.DESTINATION_REPOS + " in "
                        + GoStrconv.quote(source) + " for registry " + GoStrconv.quote(e.getKey()) + ": "
                        + ex.getMessage(), ex);
            }
        }
        List<SourceGroup> out = new ArrayList<>();
        for (Map.Entry<String, YamlSource.Registry> e : cfg.registries().entrySet()) {
            out.addAll(fromRegistry(e.getKey(), e.getValue(), ctx));
        }
        return out;
    }

    /** The context for one YAML registry entry: its TLS, certificate and credential settings over the base. */
    static ImageContext registryContext(YamlSource.Registry r, ImageContext base) {
        ImageContext.Builder b = base.toBuilder();
        b.certDir(r.certDir().isEmpty() ? null : Path.of(r.certDir()));
        if (r.tlsVerify().isPresent()) {
            b.tlsVerify(r.tlsVerify());
        }
        if (!r.username().isEmpty() || !r.password().isEmpty()) {
            b.credentials(r.username() + ":" + r.password());
            b.noCredentials(false);
        }
        return b.build();
    }

    private List<SourceGroup> fromRegistry(String registry, YamlSource.Registry cfg, ImageContext base)
            throws IOException {
        ImageContext ctx = registryContext(cfg, base);
        List<SourceGroup> out = new ArrayList<>();
        for (SourceGroup g : selectedFromRegistry(registry, cfg, ctx)) {
            SourceGroup kept = excluding(registry, cfg, g);
            if (kept != null) {
                out.add(kept);
            }
        }
        return out;
    }

    /** {@code images-exclude-regex}: leaves out the tags of a repository that contain a match. */
    private SourceGroup excluding(String registry, YamlSource.Registry cfg, SourceGroup g) {
        if (cfg.imagesExcludeRegex().isEmpty() || g.refs().isEmpty()) {
            return g;
        }
        DockerReference first = g.refs().get(0).dockerReference().orElse(null);
        String repoName = null;
        String regex = null;
        for (Map.Entry<String, String> e : cfg.imagesExcludeRegex().entrySet()) {
            try {
                if (first != null && DockerReference.parseNormalized(registry + "/" + e.getKey()).name()
                        .equals(first.name())) {
                    repoName = e.getKey();
                    regex = e.getValue();
                }
            } catch (ImageException ex) {
                // not a repository name: it matches nothing
            }
        }
        if (regex == null) {
            return g;
        }
        Pattern p;
        try {
            p = Pattern.compile(regex);
        } catch (PatternSyntaxException ex) {
            log(Level.ERROR, "error parsing regexp: " + ex.getDescription() + ": `" + ex.getPattern() + "`");
            return g;
        }
        List<ImageReference> kept = new ArrayList<>();
        for (ImageReference r : g.refs()) {
            String tag = r.dockerReference().flatMap(DockerReference::tag).orElse(null);
            if (tag == null || !p.matcher(tag).find()) {
                kept.add(r);
            }
        }
        if (kept.isEmpty()) {
            log(Level.WARNING, "No refs to sync found", "registry", registry, "repo", repoName);
            return null;
        }
        return g.withRefs(kept);
    }

    private List<SourceGroup> selectedFromRegistry(String registry, YamlSource.Registry cfg, ImageContext ctx)
            throws IOException {
        List<SourceGroup> out = new ArrayList<>();
        if (cfg.noImages()) {
            log(Level.WARNING, "No images specified for registry", "registry", registry);
            return out;
        }
        for (Map.Entry<String, List<String>> e : cfg.images().entrySet()) {
            String repoName = e.getKey();
            DockerReference repo = repository(registry, repoName);
            if (repo == null) {
                continue;
            }
            log(Level.INFO, "Processing repo", "registry", registry, "repo", repoName);
            List<ImageReference> refs = new ArrayList<>();
            if (!e.getValue().isEmpty()) {
                for (String ref : e.getValue()) {
                    DockerReference named;
                    if (Digest.isValid(ref)) {
                        named = repo.withDigest(Digest.parse(ref));
                    } else {
                        try {
                            named = repo.withTag(ref);
                        } catch (ImageException ex) {
                            log(Level.ERROR, "Error parsing ref, skipping", "ref", ref);
                            log(Level.ERROR, ex.getMessage());
                            continue;
                        }
                    }
                    refs.add(DockerImageReference.of(named));
                }
            } else {
                log(Level.INFO, "Querying registry for image tags", "registry", registry, "repo", repoName);
                try {
                    refs = tagsOf(repo, ctx);
                } catch (IOException ex) {
                    log(Level.ERROR, "Error processing repo, skipping", "registry", registry, "repo", repoName);
                    log(Level.ERROR, ex.getMessage());
                    continue;
                }
            }
            if (refs.isEmpty()) {
                log(Level.WARNING, "No refs to sync found", "registry", registry, "repo", repoName);
                continue;
            }
            out.add(new SourceGroup(refs, ctx, null, null, destinationRepo(registry, cfg, repoName)));
        }
        Map<String, Predicate<String>> byRegex = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, String> e : cfg.imagesByTagRegex().entrySet()) {
                Pattern p = Pattern.compile(e.getValue());
                byRegex.put(e.getKey(), tag -> p.matcher(tag).find());
            }
            out.addAll(filtered(registry, cfg, byRegex, ctx));
        } catch (PatternSyntaxException ex) {
            log(Level.ERROR, "error parsing regexp: " + ex.getDescription() + ": `" + ex.getPattern() + "`");
        }
        Map<String, Predicate<String>> bySemver = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, String> e : cfg.imagesBySemver().entrySet()) {
                Semver c = Semver.parse(e.getValue());
                bySemver.put(e.getKey(), c::matches);
            }
            out.addAll(filtered(registry, cfg, bySemver, ctx));
        } catch (ImageException ex) {
            log(Level.ERROR, ex.getMessage());
        }
        return out;
    }

    private List<SourceGroup> filtered(String registry, YamlSource.Registry cfg,
            Map<String, Predicate<String>> filters, ImageContext ctx) {
        List<SourceGroup> out = new ArrayList<>();
        for (Map.Entry<String, Predicate<String>> e : filters.entrySet()) {
            String repoName = e.getKey();
            DockerReference repo = repository(registry, repoName);
            if (repo == null) {
                continue;
            }
            log(Level.INFO, "Processing repo", "registry", registry, "repo", repoName);
            log(Level.INFO, "Querying registry for image tags", "registry", registry, "repo", repoName);
            List<ImageReference> all;
            try {
                all = tagsOf(repo, ctx);
            } catch (IOException ex) {
                log(Level.ERROR, "Error processing repo, skipping", "registry", registry, "repo", repoName);
                log(Level.ERROR, ex.getMessage());
                continue;
            }
            List<ImageReference> refs = new ArrayList<>();
            for (ImageReference r : all) {
                String tag = r.dockerReference().flatMap(DockerReference::tag).orElse(null);
                if (tag != null && e.getValue().test(tag)) {
                    refs.add(r);
                }
            }
            if (refs.isEmpty()) {
                log(Level.WARNING, "No refs to sync found", "registry", registry, "repo", repoName);
                continue;
            }
            out.add(new SourceGroup(refs, ctx, null, null, destinationRepo(registry, cfg, repoName)));
        }
        return out;
    }

    /** {@code registry/repo} as a repository name, or null (logged) when it is none. */
    private DockerReference repository(String registry, String repoName) {
        try {
            DockerReference r = DockerReference.parseNormalized(registry + "/" + repoName);
            if (!r.isNameOnly()) {
                throw ImageException.invalid("input names a reference, not a repository");
            }
            return r;
        } catch (ImageException ex) {
            log(Level.ERROR, "Error parsing repository name, skipping", "registry", registry, "repo", repoName);
            log(Level.ERROR, ex.getMessage());
            return null;
        }
    }

    /** The repository name {@code registry/repoName} stands for, or null when it is no repository name. */
    private static String repositoryName(String registry, String repoName) {
        try {
            DockerReference r = DockerReference.parseNormalized(registry + "/" + repoName);
            return r.isNameOnly() ? r.name() : null;
        } catch (ImageException e) {
            return null;
        }
    }

    /** The {@code destination-repos} path given for a source repository of the entry, or null. */
    static String destinationRepo(String registry, YamlSource.Registry cfg, String repoName) {
        String exact = cfg.destinationRepos().get(repoName);
        if (exact != null) {
            return exact;
        }
        String name = repositoryName(registry, repoName);
        if (name == null) {
            return null;
        }
        for (Map.Entry<String, String> e : cfg.destinationRepos().entrySet()) {
            if (name.equals(repositoryName(registry, e.getKey()))) {
                return e.getValue();
            }
        }
        return null;
    }

    /**
     * Checks a registry entry's {@code destination-repos}: every key a valid repository that the entry's
     * {@code images}, {@code images-by-tag-regex} or {@code images-by-semver} name; every value a repository path
     * (lowercase path components separated by {@code /}, no tag or digest).
     */
    static void checkDestinationRepos(String registry, YamlSource.Registry cfg) throws ImageException {
        if (cfg.destinationRepos().isEmpty()) {
            return;
        }
        java.util.Set<String> selected = new java.util.HashSet<>();
        for (Map<String, ?> m : List.of(cfg.images(), cfg.imagesByTagRegex(), cfg.imagesBySemver())) {
            for (String k : m.keySet()) {
                String n = repositoryName(registry, k);
                if (n != null) {
                    selected.add(n);
                }
            }
        }
        for (Map.Entry<String, String> e : cfg.destinationRepos().entrySet()) {
            String from = e.getKey();
            String name;
            try {
                DockerReference r = DockerReference.parseNormalized(registry + "/" + from);
                if (!r.isNameOnly()) {
                    throw ImageException.invalid("a repository has no tag or digest");
                }
                name = r.name();
            } catch (ImageException ex) {
                throw ImageException.invalid("invalid source repository " + GoStrconv.quote(from) + ": "
                        + ex.getMessage(), ex);
            }
            if (!selected.contains(name)) {
                throw ImageException.invalid("source repository " + GoStrconv.quote(from) + " is not named in"
                        + " images, images-by-tag-regex or images-by-semver");
            }
            checkRepositoryPath(from, e.getValue());
        }
    }

    /** A destination path: one or more lowercase path components, as a repository name's path has. */
    private static void checkRepositoryPath(String from, String to) throws ImageException {
        String prefix = "invalid destination repository " + GoStrconv.quote(to) + " for " + GoStrconv.quote(from)
                + ": ";
        if (to.isEmpty()) {
            throw ImageException.invalid(prefix + "empty");
        }
        DockerReference r;
        try {
            // A fixed host in front: the whole of {@code to} is parsed as the path.
            r = DockerReference.parse("localhost/" + to);
        } catch (ImageException ex) {
            throw ImageException.invalid(prefix + ex.getMessage(), ex);
        }
        if (!r.isNameOnly() || !r.path().equals(to)) {
            throw ImageException.invalid(prefix + "a repository path has no tag or digest");
        }
    }
}
