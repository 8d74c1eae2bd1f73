package io.triggerdeploy.ship;

import io.triggerdeploy.common.AllowedMethods;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The list of paths and methods a 405 names in {@code Allow} ({@link AllowedMethods}) is the resource classes' own:
 * read here from their annotations. After adding or moving an endpoint, write it anew with
 * {@code ./mvnw test -Dtest=AllowedMethodsTest -Dallowed-methods.write=true} and commit the file.
 */
class AllowedMethodsTest {

    static final java.nio.file.Path FILE = java.nio.file.Path.of("src/main/resources/META-INF/allowed-methods.txt");
    static final List<String> ORDER = List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

    @Test
    void theFileListsEveryResourcePathWithItsMethods() throws Exception {
        String expected = render(scan());
        if (Boolean.getBoolean("allowed-methods.write")) {
            Files.writeString(FILE, expected);
        }
        assertThat(Files.readString(FILE)).as("%s is stale: write it anew with ./mvnw test -Dtest=AllowedMethodsTest "
                + "-Dallowed-methods.write=true", FILE).isEqualTo(expected);
    }

    @Test
    void aPathIsMatchedAsJaxRsMatchesIt() {
        assertThat(AllowedMethods.at("/api/audit")).isEqualTo("GET, HEAD, OPTIONS");
        assertThat(AllowedMethods.at("/api/servers/42")).contains("GET").contains("PATCH").contains("DELETE").doesNotContain("POST");
        // a literal segment wins over a parameter in the same place
        assertThat(AllowedMethods.at("/api/servers/import")).isEqualTo("POST, OPTIONS");
        assertThat(AllowedMethods.at("/no/such/path")).isNull();
    }

    static Map<String, Set<String>> scan() throws IOException, ClassNotFoundException {
        java.nio.file.Path classes = java.nio.file.Path.of("target/classes");
        List<String> names = new ArrayList<>();
        try (Stream<java.nio.file.Path> s = Files.walk(classes.resolve("io/triggerdeploy"))) {
            s.filter(p -> p.toString().endsWith(".class") && !p.getFileName().toString().contains("$"))
                    .forEach(p -> names.add(classes.relativize(p).toString().replace('/', '.').replaceAll("\\.class$", "")));
        }
        Map<String, Set<String>> out = new TreeMap<>();
        for (String name : names) {
            Class<?> c = Class.forName(name, false, AllowedMethodsTest.class.getClassLoader());
            Path root = c.getAnnotation(Path.class);
            if (root == null) {
                continue;
            }
            for (Method m : c.getDeclaredMethods()) {
                String verb = verb(m);
                if (verb == null) {
                    continue;
                }
                Path sub = m.getAnnotation(Path.class);
                String template = normalise(root.value() + "/" + (sub == null ? "" : sub.value()));
                Set<String> methods = out.computeIfAbsent(template, k -> new TreeSet<>());
                methods.add(verb);
                if (verb.equals("GET")) {
                    methods.add("HEAD");
                }
                methods.add("OPTIONS");
            }
        }
        return out;
    }

    private static String verb(Method m) {
        for (Annotation a : m.getAnnotations()) {
            HttpMethod h = a.annotationType().getAnnotation(HttpMethod.class);
            if (h != null) {
                return h.value();
            }
        }
        return null;
    }

    private static String normalise(String path) {
        String p = ("/" + path).replaceAll("/{2,}", "/");
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    private static String render(Map<String, Set<String>> index) {
        StringBuilder sb = new StringBuilder("# The methods each resource path answers (the Allow header of a 405); "
                + "written by ship/AllowedMethodsTest\n");
        index.forEach((path, methods) -> sb.append(path).append(' ')
                .append(String.join(",", ORDER.stream().filter(methods::contains).toList())).append('\n'));
        return sb.toString();
    }
}
