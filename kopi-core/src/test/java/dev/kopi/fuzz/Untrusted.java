package dev.kopi.fuzz;

import dev.kopi.error.ImageException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The rule every fuzz target enforces: a parser of untrusted bytes either returns or fails with kopi's own error
 * type ({@link ImageException} and its subclasses, which carry the one-line message users see). Anything else
 * escaping (a NullPointerException, an IndexOutOfBounds, a raw IOException, a StackOverflowError...) is a finding.
 */
final class Untrusted {
    private Untrusted() {
    }

    interface Action {
        void run() throws Exception;
    }

    static void parse(Action a) {
        try {
            a.run();
        } catch (ImageException expected) {
            if (expected.getMessage() == null || expected.getMessage().isBlank()) {
                throw new AssertionError("an ImageException without a message", expected);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError("a non-kopi exception escaped: " + e, e);
        }
    }

    /** A scratch file holding {@code data}, deleted by the caller's try-with-resources. */
    static Scratch file(byte[] data, String suffix) {
        try {
            Path dir = Files.createTempDirectory("kopi-fuzz");
            Path f = dir.resolve("input" + suffix);
            Files.write(f, data);
            return new Scratch(dir, f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    record Scratch(Path dir, Path file) implements AutoCloseable {
        @Override
        public void close() {
            try (var s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
