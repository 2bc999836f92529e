package dev.kopi.config;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the TLS material for a registry lives (containers/image dockerCertDir): {@code --cert-dir} when given,
 * else the first of {@code $HOME/.config/containers/certs.d/HOST[:PORT]}, {@code /etc/containers/certs.d/HOST[:PORT]}
 * and {@code /etc/docker/certs.d/HOST[:PORT]} that exists (directories that cannot be read for permissions are
 * skipped), else the last of them (which does not exist, so it adds nothing). {@code HOST[:PORT]} is the registry
 * as written in the reference ({@code docker.io} for Docker Hub); there is no fallback from {@code host:port} to
 * {@code host}. Plain file-system code: no TLS classes are loaded here (see {@link TlsConfigs}).
 */
public final class CertDirs {
    /** The system per-host directories, after the user's one. */
    public static final List<Path> SYSTEM_DIRS = List.of(Path.of("/etc/containers/certs.d"),
            Path.of("/etc/docker/certs.d"));

    private CertDirs() {
    }

    /** The per-host certificate directories searched, in order. */
    public static List<Path> searchDirs(Env env) {
        List<Path> dirs = new ArrayList<>();
        dirs.add(env.home().resolve(".config/containers/certs.d"));
        dirs.addAll(SYSTEM_DIRS);
        return dirs;
    }

    /**
     * The directory for {@code hostPort}.
     *
     * @param certDirFlag {@code --cert-dir}, or null
     */
    public static Path resolve(Env env, String hostPort, Path certDirFlag) throws ImageException {
        return resolve(hostPort, certDirFlag, searchDirs(env));
    }

    /** {@link #resolve(Env, String, Path)} over the given per-host directories. */
    public static Path resolve(String hostPort, Path certDirFlag, List<Path> perHostDirs) throws ImageException {
        if (certDirFlag != null && !certDirFlag.toString().isEmpty()) {
            return certDirFlag;
        }
        Path full = null;
        for (Path base : perHostDirs) {
            full = base.resolve(hostPort);
            try {
                full.getFileSystem().provider().checkAccess(full);
                return full;
            } catch (NoSuchFileException e) {
                continue;
            } catch (AccessDeniedException e) {
                continue;
            } catch (IOException e) {
                throw new ImageException(ErrorCode.IO, AuthFile.goFileError("faccessat", full, e), e);
            }
        }
        return full;
    }

    /** Whether {@code dir} holds any {@code *.crt}, {@code *.cert} or {@code *.key} file. */
    public static boolean hasTlsFiles(Path dir) {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString())
                    .anyMatch(n -> n.endsWith(".crt") || n.endsWith(".cert") || n.endsWith(".key"));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
