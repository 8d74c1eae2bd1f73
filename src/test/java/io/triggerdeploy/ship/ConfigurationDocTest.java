package io.triggerdeploy.ship;

import io.smallrye.config.ConfigMappingInterface;
import io.smallrye.config.ConfigMappings;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * src/docs/configuration.md lists every setting of the service's {@code @ConfigMapping} interfaces with its default,
 * read from the mappings themselves (SmallRye Config's own view of them): a setting in the code but not in the document,
 * one in the document but not in the code, or a default that differs fails. With {@code -Dconfig-doc.write=true} it
 * prints the rows of the settings the document lacks, their meaning taken from the Javadoc, to paste in.
 */
class ConfigurationDocTest {

    static final Path DOC = Path.of("src/docs/configuration.md");
    private static final Path MAIN = Path.of("src/main/java");
    private static final Pattern MAPPING = Pattern.compile("@ConfigMapping\\(prefix = \"([^\"]+)\"\\)\\s*(?:public\\s+)?(?:static\\s+)?interface\\s+(\\w+)");
    /** A row: | `trigger.x.y` | `TRIGGER_X_Y` | default | meaning | */
    private static final Pattern ROW = Pattern.compile("^\\|\\s*`(trigger\\.[a-z0-9.\\-*\\[\\]]+)`\\s*\\|\\s*`([A-Z0-9_]+)`\\s*\\|\\s*((?:\\\\\\||[^|])*?)\\s*\\|.*\\|\\s*$");
    private static final String NONE = "(none)";
    /** The source file of each setting's mapping (for the meanings the write mode prints). */
    private static final Map<String, Path> FILES = new TreeMap<>();

    @Test
    void everySettingIsDocumentedWithItsDefaultAndNothingElseIs() throws Exception {
        Map<String, String> code = settings();
        Map<String, String> doc = documented();
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, String> e : code.entrySet()) {
            if (!doc.containsKey(e.getKey())) {
                missing.add(e.getKey());
            }
        }
        if (Boolean.getBoolean("config-doc.write")) {
            Map<String, String> meanings = meanings();
            for (String name : missing) {
                System.out.println("| `" + name + "` | `" + env(name) + "` | " + code.get(name).replace("|", "\\|") + " | "
                        + meanings.getOrDefault(FILES.get(name) + "|" + name.substring(name.lastIndexOf('.') + 1), "") + " |");
            }
        }
        assertThat(missing).as("settings in the code that %s does not list (run with -Dconfig-doc.write=true for their rows)", DOC).isEmpty();
        List<String> extra = doc.keySet().stream().filter(k -> !code.containsKey(k)).toList();
        assertThat(extra).as("settings %s lists that no @ConfigMapping has", DOC).isEmpty();
        for (Map.Entry<String, String> e : code.entrySet()) {
            assertThat(doc.get(e.getKey())).as("the default of %s in %s", e.getKey(), DOC).isEqualTo(e.getValue());
        }
    }

    /**
     * Every TRIGGER_* variable the documents name (README, src/docs, the pages' help) is one configuration.md lists: no
     * document sends an operator to a variable that does not exist.
     */
    @Test
    void everyVariableTheDocumentsNameIsAListedOne() throws IOException {
        String listed = Files.readString(DOC, StandardCharsets.UTF_8);
        Pattern variable = Pattern.compile("\\bTRIGGER_[A-Z0-9_]*[A-Z0-9]\\b(?!_\\*)");
        List<Path> docs = new ArrayList<>(List.of(Path.of("README.md"), Path.of("src/main/resources/templates/pages/help.html")));
        try (Stream<Path> s = Files.list(Path.of("src/docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).forEach(docs::add);
        }
        List<String> unknown = new ArrayList<>();
        for (Path d : docs) {
            Matcher m = variable.matcher(Files.readString(d, StandardCharsets.UTF_8));
            while (m.find()) {
                if (!listed.contains("`" + m.group() + "`")) {
                    unknown.add(d + ": " + m.group());
                }
            }
        }
        assertThat(unknown).as("variables named in the documents that %s does not list", DOC).isEmpty();
    }

    /** Every setting's full name and default ("(none)" when it has none), from the mappings. */
    static Map<String, String> settings() throws IOException, ClassNotFoundException {
        Map<String, String> all = new TreeMap<>();
        for (Path f : sources()) {
            String src = Files.readString(f, StandardCharsets.UTF_8);
            Matcher m = MAPPING.matcher(src);
            while (m.find()) {
                String pkg = MAIN.relativize(f.getParent()).toString().replace('/', '.');
                String top = f.getFileName().toString().replace(".java", "");
                String name = m.group(2).equals(top) ? pkg + "." + top : pkg + "." + top + "$" + m.group(2);
                Class<?> type = Class.forName(name);
                Map<String, ConfigMappingInterface.Property> props = ConfigMappings.getProperties(ConfigMappings.ConfigClass.configClass(type, m.group(1)));
                props.forEach((path, p) -> {
                    if (!path.endsWith("[*]")) {
                        all.put(path, p.hasDefaultValue() && p.getDefaultValue() != null ? "`" + p.getDefaultValue() + "`" : NONE);
                        FILES.put(path, f);
                    }
                });
            }
        }
        return all;
    }

    private static Map<String, String> documented() throws IOException {
        Map<String, String> rows = new TreeMap<>();
        for (String line : Files.readAllLines(DOC, StandardCharsets.UTF_8)) {
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                assertThat(m.group(2)).as("the environment variable of %s in %s", m.group(1), DOC).isEqualTo(env(m.group(1)));
                rows.put(m.group(1), m.group(3).replace("\\|", "|"));
            }
        }
        return rows;
    }

    /** The environment variable MicroProfile Config reads for a property name. */
    static String env(String name) {
        return name.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    /** Each method's Javadoc, by file and kebab-case method name (for the rows the write mode prints; best effort). */
    private static Map<String, String> meanings() throws IOException {
        Map<String, String> out = new TreeMap<>();
        Pattern doc = Pattern.compile("/\\*\\*((?:(?!\\*/).)*)\\*/\\s*(?:@[\\w.]+(?:\\([^)]*\\))?\\s*)*[\\w<>?, .]+\\s+(\\w+)\\(\\);",
                Pattern.DOTALL);
        for (Path f : sources()) {
            Matcher m = doc.matcher(Files.readString(f, StandardCharsets.UTF_8));
            while (m.find()) {
                String text = m.group(1).replaceAll("\\s*\\n\\s*\\*\\s?", " ").replaceAll("\\{@code ([^}]*)}", "`$1`")
                        .replaceAll("\\{@link #?([^}]*)}", "$1").replace("|", "\\|").trim();
                out.putIfAbsent(f + "|" + m.group(2).replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT), text);
            }
        }
        return out;
    }

    private static List<Path> sources() throws IOException {
        try (Stream<Path> s = Files.walk(MAIN)) {
            return s.filter(p -> p.toString().endsWith(".java")).filter(p -> {
                try {
                    return Files.readString(p, StandardCharsets.UTF_8).contains("@ConfigMapping(");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).sorted().toList();
        }
    }
}
