package io.triggerdeploy.common;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which methods each path of the HTTP API answers, for the {@code Allow} header of a 405 (RFC 9110 section 15.5.6: the
 * JAX-RS runtime raises 405 without it). Read from {@code META-INF/allowed-methods.txt}, one "{@code path-template
 * METHODS}" line per resource path, which {@code ship/AllowedMethodsTest} keeps equal to the resource classes (a plain
 * file, so a native image needs no reflection for it).
 */
public final class AllowedMethods {

    static final String FILE = "META-INF/allowed-methods.txt";
    private static final Pattern PARAM = Pattern.compile("\\{\\s*\\w+\\s*(?::\\s*((?:[^{}]|\\{[^{}]*})+))?}");

    private record Entry(Pattern path, int literals, String methods) {
    }

    private static volatile List<Entry> entries;

    private AllowedMethods() {
    }

    /** The methods answered at {@code path} (e.g. "GET, HEAD, OPTIONS"), or null for a path no resource has. */
    public static String at(String path) {
        Entry best = null;
        for (Entry e : entries()) {
            // JAX-RS picks the template with the most literal characters among those that match
            if (e.path.matcher(path).matches() && (best == null || e.literals > best.literals)) {
                best = e;
            }
        }
        return best == null ? null : best.methods;
    }

    private static List<Entry> entries() {
        List<Entry> e = entries;
        if (e == null) {
            e = load();
            entries = e;
        }
        return e;
    }

    private static List<Entry> load() {
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(FILE)) {
            if (in == null) {
                throw new IllegalStateException("missing " + FILE);
            }
            List<Entry> out = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                int space = line.lastIndexOf(' ');
                if (line.isBlank() || line.startsWith("#") || space < 0) {
                    continue;
                }
                String template = line.substring(0, space);
                out.add(new Entry(regex(template), literals(template), line.substring(space + 1).replace(",", ", ")));
            }
            return List.copyOf(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A path template as a pattern: {@code {id}} is one segment, {@code {name: regex}} its regex. */
    static Pattern regex(String template) {
        StringBuilder out = new StringBuilder();
        Matcher m = PARAM.matcher(template);
        int at = 0;
        while (m.find()) {
            out.append(Pattern.quote(template.substring(at, m.start())));
            out.append('(').append(m.group(1) == null ? "[^/]+" : m.group(1).trim()).append(')');
            at = m.end();
        }
        out.append(Pattern.quote(template.substring(at))).append("/?");
        return Pattern.compile(out.toString());
    }

    private static int literals(String template) {
        return PARAM.matcher(template).replaceAll("").length();
    }
}
