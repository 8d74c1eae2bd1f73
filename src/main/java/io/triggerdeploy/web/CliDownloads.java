package io.triggerdeploy.web;

import io.triggerdeploy.cli.Td;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * The {@code td} command line, served by the service itself so that a CI job gets the client that matches its server:
 * {@code GET /cli/td.jar} (assembled once from the command line's classes, {@link Td#PARTS}: the JDK is all it needs) and
 * {@code GET /cli/td}, a wrapper script for people. Both are public: a job fetches them before it has a token.
 */
@Path("/cli")
@PermitAll
public class CliDownloads {

    /** Entries carry this time, so the same classes always make the same bytes (and the same ETag). */
    private static final long ENTRY_TIME = 315_532_800_000L; // 1980-01-01, the earliest a zip entry can say

    private static final String SCRIPT = """
            #!/bin/sh
            # td: trigger-deploy's command line. Uses td.jar beside this script, fetched from $TD_URL/cli/td.jar when missing.
            dir=$(cd "$(dirname "$0")" && pwd)
            jar="$dir/td.jar"
            if [ ! -f "$jar" ]; then
              [ -n "$TD_URL" ] || { echo "td: set TD_URL to the service's address" >&2; exit 2; }
              curl -fsSLo "$jar" "$TD_URL/cli/td.jar" || { echo "td: cannot fetch $TD_URL/cli/td.jar" >&2; exit 7; }
            fi
            exec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar "$jar" "$@"
            """;

    private static volatile byte[] jar;
    private static volatile String etag;

    @GET
    @Path("td.jar")
    @Operation(hidden = true)
    public Response jar(@HeaderParam("If-None-Match") String ifNoneMatch) {
        byte[] bytes = jarBytes();
        if (etag.equals(ifNoneMatch)) {
            return Response.notModified(etag).build();
        }
        return Response.ok(bytes, "application/java-archive").header("ETag", etag).header("Cache-Control", "no-cache")
                .header("Content-Disposition", "attachment; filename=\"td.jar\"").build();
    }

    @GET
    @Path("td")
    @Operation(hidden = true)
    public Response script() {
        return Response.ok(SCRIPT, "text/x-shellscript; charset=UTF-8").header("Cache-Control", "no-cache")
                .header("Content-Disposition", "attachment; filename=\"td\"").build();
    }

    static byte[] jarBytes() {
        byte[] b = jar;
        if (b == null) {
            b = assemble();
            etag = "\"" + sha256(b).substring(0, 16) + "\"";
            jar = b;
        }
        return b;
    }

    private static byte[] assemble() {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Td.class.getName());
        m.getMainAttributes().putValue("Created-By", "trigger-deploy");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream out = new JarOutputStream(bytes)) {
            JarEntry mf = new JarEntry("META-INF/MANIFEST.MF");
            mf.setTime(ENTRY_TIME);
            out.putNextEntry(mf);
            m.write(out);
            out.closeEntry();
            for (Class<?> part : Td.PARTS) {
                String name = part.getName().replace('.', '/') + ".class";
                try (InputStream in = Td.class.getClassLoader().getResourceAsStream(name)) {
                    if (in == null) {
                        throw new IllegalStateException("the command line's class " + name + " is not on the class path");
                    }
                    JarEntry e = new JarEntry(name);
                    e.setTime(ENTRY_TIME);
                    out.putNextEntry(e);
                    in.transferTo(out);
                    out.closeEntry();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
