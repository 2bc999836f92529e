package dev.kopi.transport.storage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** Small tar archives for tests, built with commons-compress. */
final class TestTars {
    private TestTars() {
    }

    /** One archive member: its header, and content for regular files. */
    record Member(TarArchiveEntry entry, byte[] content) {
    }

    static Member dir(String name) {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_DIR);
        e.setMode(040755);
        return new Member(e, new byte[0]);
    }

    static Member file(String name, String content) {
        byte[] b = content.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setMode(0100644);
        e.setSize(b.length);
        return new Member(e, b);
    }

    static Member symlink(String name, String target) {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
        e.setLinkName(target);
        return new Member(e, new byte[0]);
    }

    static Member hardlink(String name, String target) {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_LINK);
        e.setLinkName(target);
        return new Member(e, new byte[0]);
    }

    static byte[] tar(List<Member> members) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
            t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Member m : members) {
                m.entry().setModTime(1_600_000_000_000L);
                t.putArchiveEntry(m.entry());
                t.write(m.content());
                t.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
