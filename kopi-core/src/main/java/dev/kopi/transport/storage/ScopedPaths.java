package dev.kopi.transport.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Path resolution inside a layer tree as if it were the root directory: containers/storage applies layers in a
 * chroot, so ".." stops at the layer's root and symbolic links (absolute ones included) resolve inside it. kopi
 * cannot chroot, so it resolves each path itself, component by component, and never leaves the tree.
 */
final class ScopedPaths {
    private static final int MAX_LINKS = 255;

    private ScopedPaths() {
    }

    /**
     * The host path of {@code name} (an archive path) inside {@code root}: every directory on the way resolved
     * within the root; the last component resolved too only when {@code followLast}.
     */
    static Path resolve(Path root, String name, boolean followLast) throws IOException {
        Deque<String> parts = new ArrayDeque<>();
        push(parts, name);
        Path cur = root;
        int links = 0;
        while (!parts.isEmpty()) {
            String c = parts.pollFirst();
            if (c.equals("..")) {
                if (!cur.equals(root)) {
                    cur = cur.getParent();
                }
                continue;
            }
            Path next = cur.resolve(c);
            if (parts.isEmpty() && !followLast) {
                return next;
            }
            BasicFileAttributes a = LayerUnpacker.lstat(next);
            if (a != null && a.isSymbolicLink()) {
                if (++links > MAX_LINKS) {
                    throw new IOException("resolving " + name + " in " + root + ": too many levels of symbolic links");
                }
                String target = Files.readSymbolicLink(next).toString();
                if (target.startsWith("/")) {
                    cur = root;
                }
                push(parts, target);
                continue;
            }
            cur = next;
        }
        return cur;
    }

    /** Puts the components of {@code p} in front of {@code parts}, in order. */
    private static void push(Deque<String> parts, String p) {
        String[] comps = p.split("/");
        for (int i = comps.length - 1; i >= 0; i--) {
            if (!comps[i].isEmpty() && !comps[i].equals(".")) {
                parts.addFirst(comps[i]);
            }
        }
    }

    /** Whether {@code p} exists without following a final symlink. */
    static boolean exists(Path p) {
        return Files.exists(p, LinkOption.NOFOLLOW_LINKS);
    }
}
