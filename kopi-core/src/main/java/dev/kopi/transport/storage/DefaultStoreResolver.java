package dev.kopi.transport.storage;

import dev.kopi.config.Env;
import dev.kopi.error.ImageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@link StoreResolver} for real stores: completes store specs as containers/storage's {@code GetStore} does
 * (the default store from storage.conf when nothing is given; a missing graph or run root from the defaults;
 * absolute, cleaned paths; the driver detected from what the graph root holds when none is named), refuses
 * drivers kopi does not implement, and looks images up in the store's images.json.
 */
public final class DefaultStoreResolver implements StoreResolver {
    private final Env env;
    private final Path systemOverride;
    private final Path systemDefault;
    private volatile StorageConf.Options defaults;

    public DefaultStoreResolver(Env env) {
        this(env, StorageConf.SYSTEM_OVERRIDE, StorageConf.SYSTEM_DEFAULT);
    }

    /** A resolver reading the system storage.conf files from the given places (tests). */
    DefaultStoreResolver(Env env, Path systemOverride, Path systemDefault) {
        this.env = env;
        this.systemOverride = systemOverride;
        this.systemDefault = systemDefault;
    }

    /** A resolver for the process environment. */
    public static DefaultStoreResolver system() {
        return new DefaultStoreResolver(Env.system());
    }

    private StorageConf.Options defaults() throws ImageException {
        StorageConf.Options d = defaults;
        if (d == null) {
            d = StorageConf.defaults(env, systemOverride, systemDefault);
            defaults = d;
        }
        return d;
    }

    @Override
    public StoreSpec resolve(StoreSpec requested) throws ImageException {
        String driver;
        String graphRoot;
        String runRoot;
        List<String> options;
        if (requested.isUnspecified()) {
            StorageConf.Options d = defaults();
            driver = d.driver();
            graphRoot = d.graphRoot();
            runRoot = d.runRoot();
            options = d.driverOptions();
        } else {
            driver = requested.driver();
            graphRoot = StoreSpec.cleanAbsolutePath(requested.graphRoot());
            runRoot = StoreSpec.cleanAbsolutePath(requested.runRoot());
            options = requested.options();
            if (graphRoot.isEmpty() || runRoot.isEmpty()) {
                StorageConf.Options d = defaults();
                graphRoot = graphRoot.isEmpty() ? d.graphRoot() : graphRoot;
                runRoot = runRoot.isEmpty() ? d.runRoot() : runRoot;
            }
        }
        if (driver.equals("overlay2")) {
            driver = "overlay";
        }
        if (driver.isEmpty()) {
            driver = detectDriver(graphRoot);
        }
        StoreSpec spec = new StoreSpec(driver, graphRoot, runRoot, options);
        Store.open(spec); // refuses unknown and unsupported drivers, and bad driver options
        return spec;
    }

    /**
     * c/storage's choice when no driver is named: a non-vfs driver whose directory exists in the graph root (two
     * is an error), else the first in its priority list that works here: overlay when the kernel has it, else vfs.
     */
    static String detectDriver(String graphRoot) throws ImageException {
        List<String> prior = new ArrayList<>();
        for (String d : List.of("overlay", "aufs", "btrfs", "zfs", "devicemapper")) {
            if (Files.exists(Path.of(graphRoot, d))) {
                prior.add(d);
            }
        }
        if (prior.size() > 1) {
            throw ImageException.invalid(graphRoot + " contains several valid graphdrivers: " + String.join(", ", prior)
                    + "; Please cleanup or explicitly choose storage driver (-s <DRIVER>)");
        }
        if (prior.size() == 1) {
            return prior.get(0);
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/filesystems"))) {
                if (line.trim().endsWith("overlay")) {
                    return "overlay";
                }
            }
        } catch (IOException e) {
            // no /proc: fall through
        }
        return "vfs";
    }

    @Override
    public Optional<String> lookupImageId(StoreSpec store, String idOrName) {
        try {
            Store s = Store.open(store);
            return StoreRecords.lookup(s.load().images(), idOrName).map(StoreRecords::id);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
