package dev.kopi.transport.sif;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.internal.path.LocalPaths;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Turns the primary system partition of a SIF file into a tar file, as containers/image's {@code sif/load.go}
 * does: the squashfs partition is copied out, {@code unsquashfs} unpacks it and {@code tar --acls --xattrs}
 * packs it again, both inside one {@code fakeroot} session so that ownership survives. When the definition file
 * has {@code %environment} or {@code %runscript} lines, they become {@code /podman/runscript}, the image's command.
 */
final class SifConversion {
    /** Where the script made of %environment and %runscript goes in the image. */
    static final String INJECTED_SCRIPT_TARGET = "/podman/runscript";
    /** {@code bufio.MaxScanTokenSize}: the longest line (with its newline) Go's scanner accepts. */
    static final int MAX_LINE = 64 * 1024;
    private static final FileAttribute<Set<PosixFilePermission>> MODE_755 =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x"));
    private static final FileAttribute<Set<PosixFilePermission>> MODE_666 =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-rw-rw-"));
    /** How much of the conversion's output an error keeps. */
    private static final int MAX_OUTPUT = 1 << 20;

    /** The non-trivial lines of the %environment and %runscript sections of a definition file. */
    record DefFile(List<byte[]> environment, List<byte[]> runscript) {
        DefFile {
            environment = List.copyOf(environment);
            runscript = List.copyOf(runscript);
        }
    }

    /**
     * The image's command and, when the definition file asks for one, the script to inject at
     * {@link #INJECTED_SCRIPT_TARGET} (else null).
     */
    record Command(String command, byte[] injectedScript) {
    }

    /** The conversion's results: the tar file (inside the work directory) and the image's command line. */
    record Elements(Path tar, List<String> commandLine) {
        Elements {
            commandLine = List.copyOf(commandLine);
        }
    }

    private SifConversion() {
    }

    /**
     * {@code parseDefFile}: lines are trimmed of (Go's Unicode) white space; {@code %environment} and
     * {@code %runscript} start their sections and any other {@code %} line ends them; environment lines that are
     * empty or comments are dropped, runscript lines are all kept. Bytes are kept as they are (no re-encoding).
     */
    static DefFile parseDefFile(InputStream in) throws IOException {
        List<byte[]> environment = new ArrayList<>();
        List<byte[]> runscript = new ArrayList<>();
        int state = 0; // 0 other, 1 environment, 2 runscript
        try {
            for (byte[] line : lines(in)) {
                byte[] s = trimSpace(line);
                if (is(s, "%environment")) {
                    state = 1;
                } else if (is(s, "%runscript")) {
                    state = 2;
                } else if (s.length > 0 && s[0] == '%') {
                    state = 0;
                } else if (state == 1) {
                    if (s.length > 0 && s[0] != '#') {
                        environment.add(s);
                    }
                } else if (state == 2) {
                    runscript.add(s);
                }
            }
        } catch (IOException e) {
            throw ImageException.wrap("reading lines from SIF definition file object", e);
        }
        return new DefFile(environment, runscript);
    }

    /** {@code generateInjectedScript}: a bash script with the environment lines, then the runscript lines. */
    static byte[] injectedScript(List<byte[]> environment, List<byte[]> runscript) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("#!/bin/bash\n".getBytes(StandardCharsets.US_ASCII));
        join(out, environment);
        out.write('\n');
        join(out, runscript);
        out.write('\n');
        return out.toByteArray();
    }

    /**
     * {@code processDefFile}: {@code bash} and no script when the SIF has no (single) definition file or its
     * sections are empty; else {@link #INJECTED_SCRIPT_TARGET} and the script.
     */
    static Command processDefFile(SifFile sif) throws IOException {
        SifFile.Descriptor d;
        try {
            d = sif.descriptor(x -> x.dataType() == SifFile.DATA_DEFFILE);
        } catch (ImageException e) {
            d = null; // no definition file (or several): containers/image ignores it
        }
        DefFile def = new DefFile(List.of(), List.of());
        if (d != null) {
            try (InputStream in = sif.openData(d)) {
                def = parseDefFile(in);
            }
        }
        if (def.environment().isEmpty() && def.runscript().isEmpty()) {
            return new Command("bash", null);
        }
        return new Command(INJECTED_SCRIPT_TARGET, injectedScript(def.environment(), def.runscript()));
    }

    /**
     * {@code convertSIFToElements}: converts the primary system partition of {@code sif} into
     * {@code tempDir/rootfs.tar}. {@code tempDir} is empty and exclusively ours; everything but the tar file is
     * removed again, also on failure.
     */
    static Elements convert(SifFile sif, Path tempDir) throws IOException {
        Path squashFs = tempDir.resolve("rootfs.squashfs");
        Path tar = tempDir.resolve("rootfs.tar");
        Path extractedRoot = tempDir.resolve("rootfs");
        Path script = tempDir.resolve("script");
        boolean succeeded = false;
        try {
            Command command = processDefFile(sif);
            SifFile.Descriptor rootFs;
            try {
                rootFs = sif.descriptor(x -> x.isPartitionOfType(SifFile.PART_PRIMSYS));
            } catch (ImageException e) {
                throw ImageException.wrap("looking up rootfs from SIF file", e);
            }
            try (OutputStream out = create(squashFs, MODE_666)) {
                sif.copyData(rootFs, out);
            }
            createTar(tar, squashFs, command.injectedScript(), extractedRoot, script);
            succeeded = true;
            return new Elements(tar, List.of(command.command()));
        } finally {
            Files.deleteIfExists(squashFs);
            if (!succeeded) {
                Files.deleteIfExists(tar);
            }
        }
    }

    /**
     * {@code createTarFromSIFInputs}: writes the conversion script and the injected script, then runs
     * {@code fakeroot -- SCRIPT}.
     */
    private static void createTar(Path tar, Path squashFs, byte[] injectedScript, Path extractedRoot, Path script)
            throws IOException {
        try {
            String conversionCommand = String.format("unsquashfs -d %s -f %s && tar --acls --xattrs -C %s -cpf %s ./",
                    extractedRoot, squashFs, extractedRoot, tar);
            try (OutputStream out = create(script, MODE_755)) {
                out.write(("#!/bin/sh\n" + conversionCommand + "\n").getBytes(StandardCharsets.UTF_8));
            }
            try {
                writeInjectedScript(extractedRoot, injectedScript);
                run(List.of(lookPath("fakeroot"), "--", script.toString()));
            } finally {
                Files.deleteIfExists(script);
            }
        } finally {
            forceDeleteTree(extractedRoot);
        }
    }

    private static void writeInjectedScript(Path extractedRoot, byte[] injectedScript) throws IOException {
        if (injectedScript == null) {
            return;
        }
        Path file = extractedRoot.resolve(INJECTED_SCRIPT_TARGET.substring(1));
        Path parent = file.getParent();
        try {
            mkdirAll(parent);
        } catch (IOException e) {
            throw ImageException.wrap("creating " + parent, e);
        }
        try (OutputStream out = create(file, MODE_755)) {
            out.write(injectedScript);
        } catch (IOException e) {
            throw ImageException.wrap("writing " + INJECTED_SCRIPT_TARGET + " to " + file, e);
        }
    }

    /** {@code os.MkdirAll(dir, 0755)}: modes go through the umask, as Go's do. */
    private static void mkdirAll(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        Path parent = dir.getParent();
        if (parent != null) {
            mkdirAll(parent);
        }
        try {
            Files.createDirectory(dir, MODE_755);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir)) {
                throw new ImageException(ErrorCode.IO, "mkdir " + dir + ": not a directory", e);
            }
        } catch (IOException e) {
            throw new ImageException(ErrorCode.IO, LocalPaths.goError("mkdir", dir, e), e);
        }
    }

    /**
     * Creates (or truncates) a file as Go's os.Create / os.WriteFile: a new file gets {@code mode} through open(2),
     * so the umask applies; an existing one keeps its mode.
     */
    private static OutputStream create(Path p, FileAttribute<Set<PosixFilePermission>> mode) throws IOException {
        try {
            return Channels.newOutputStream(Files.newByteChannel(p, Set.of(StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE), mode));
        } catch (IOException e) {
            throw new ImageException(ErrorCode.IO, LocalPaths.goError("open", p, e), e);
        }
    }

    /**
     * Runs the conversion as {@code exec.Command(...).CombinedOutput()}: stdin from /dev/null, stdout and stderr
     * together; a failure is {@code converting image: exit status N, output: OUTPUT}.
     */
    private static void run(List<String> command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.redirectErrorStream(true);
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new ImageException(ErrorCode.IO, "converting image: fork/exec " + command.get(0) + ": "
                    + e.getMessage() + ", output: ", e);
        }
        byte[] output;
        try (InputStream in = p.getInputStream()) {
            output = readCapped(in);
        }
        int status;
        try {
            status = p.waitFor();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new ImageException(ErrorCode.CANCELLED, "converting image: interrupted", e);
        }
        if (status != 0) {
            throw new ImageException(ErrorCode.IO, "converting image: exit status " + status + ", output: "
                    + new String(output, StandardCharsets.UTF_8));
        }
    }

    private static byte[] readCapped(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) >= 0) {
            if (out.size() < MAX_OUTPUT) {
                out.write(buf, 0, Math.min(n, MAX_OUTPUT - out.size()));
            }
        }
        return out.toByteArray();
    }

    /**
     * Go's {@code exec.LookPath}: the first executable regular file called {@code name} in {@code $PATH}; fails
     * with {@code converting image: exec: "NAME": executable file not found in $PATH, output: }.
     */
    static String lookPath(String name) throws ImageException {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(":", -1)) {
                Path p = Path.of(dir.isEmpty() ? "." : dir, name);
                if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                    return p.toString();
                }
            }
        }
        throw new ImageException(ErrorCode.IO, "converting image: exec: \"" + name
                + "\": executable file not found in $PATH, output: ");
    }

    /**
     * Deletes a tree even where the unpacked image made directories unwritable or unreadable for their owner (an
     * image may contain mode 0555 or 0000 directories): each directory is made 0700 before it is emptied.
     */
    static void forceDeleteTree(Path root) {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(root, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return;
        }
        if (a.isDirectory()) {
            try {
                Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx------"));
            } catch (IOException | UnsupportedOperationException e) {
                // try anyway
            }
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
                for (Path child : ds) {
                    forceDeleteTree(child);
                }
            } catch (IOException e) {
                // best effort
            }
        }
        try {
            Files.deleteIfExists(root);
        } catch (IOException e) {
            // best effort: cleanup only
        }
    }

    /** Splits as {@code bufio.Scanner} with {@code ScanLines}: on '\n', a trailing '\r' dropped. */
    private static List<byte[]> lines(InputStream in) throws IOException {
        List<byte[]> out = new ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) >= 0) {
            for (int i = 0; i < n; i++) {
                byte b = buf[i];
                if (b == '\n') {
                    out.add(dropCr(line.toByteArray()));
                    line.reset();
                } else {
                    if (line.size() + 1 >= MAX_LINE) {
                        throw new ImageException(ErrorCode.INVALID_INPUT, "bufio.Scanner: token too long");
                    }
                    line.write(b);
                }
            }
        }
        if (line.size() > 0) {
            out.add(dropCr(line.toByteArray()));
        }
        return out;
    }

    private static byte[] dropCr(byte[] line) {
        return line.length > 0 && line[line.length - 1] == '\r' ? Arrays.copyOf(line, line.length - 1) : line;
    }

    /** The UTF-8 encodings of the non-ASCII runes Go's {@code unicode.IsSpace} accepts. */
    private static final byte[][] WIDE_SPACES = {
        {(byte) 0xc2, (byte) 0x85}, {(byte) 0xc2, (byte) 0xa0}, {(byte) 0xe1, (byte) 0x9a, (byte) 0x80},
        {(byte) 0xe2, (byte) 0x80, (byte) 0x80}, {(byte) 0xe2, (byte) 0x80, (byte) 0x81},
        {(byte) 0xe2, (byte) 0x80, (byte) 0x82}, {(byte) 0xe2, (byte) 0x80, (byte) 0x83},
        {(byte) 0xe2, (byte) 0x80, (byte) 0x84}, {(byte) 0xe2, (byte) 0x80, (byte) 0x85},
        {(byte) 0xe2, (byte) 0x80, (byte) 0x86}, {(byte) 0xe2, (byte) 0x80, (byte) 0x87},
        {(byte) 0xe2, (byte) 0x80, (byte) 0x88}, {(byte) 0xe2, (byte) 0x80, (byte) 0x89},
        {(byte) 0xe2, (byte) 0x80, (byte) 0x8a}, {(byte) 0xe2, (byte) 0x80, (byte) 0xa8},
        {(byte) 0xe2, (byte) 0x80, (byte) 0xa9}, {(byte) 0xe2, (byte) 0x80, (byte) 0xaf},
        {(byte) 0xe2, (byte) 0x81, (byte) 0x9f}, {(byte) 0xe3, (byte) 0x80, (byte) 0x80},
    };

    /** Go's {@code strings.TrimSpace} on UTF-8 bytes. */
    static byte[] trimSpace(byte[] s) {
        int start = 0;
        int end = s.length;
        outer:
        while (start < end) {
            byte b = s[start];
            if (b == ' ' || (b >= '\t' && b <= '\r')) {
                start++;
                continue;
            }
            for (byte[] w : WIDE_SPACES) {
                if (regionMatches(s, start, end, w)) {
                    start += w.length;
                    continue outer;
                }
            }
            break;
        }
        outer:
        while (end > start) {
            byte b = s[end - 1];
            if (b == ' ' || (b >= '\t' && b <= '\r')) {
                end--;
                continue;
            }
            for (byte[] w : WIDE_SPACES) {
                if (end - w.length >= start && regionMatches(s, end - w.length, end, w)) {
                    end -= w.length;
                    continue outer;
                }
            }
            break;
        }
        return Arrays.copyOfRange(s, start, end);
    }

    private static boolean regionMatches(byte[] s, int from, int limit, byte[] w) {
        if (from + w.length > limit) {
            return false;
        }
        for (int i = 0; i < w.length; i++) {
            if (s[from + i] != w[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean is(byte[] s, String ascii) {
        return Arrays.equals(s, ascii.getBytes(StandardCharsets.US_ASCII));
    }

    private static void join(ByteArrayOutputStream out, List<byte[]> lines) {
        for (int i = 0; i < lines.size(); i++) {
            if (i > 0) {
                out.write('\n');
            }
            out.writeBytes(lines.get(i));
        }
    }
}
