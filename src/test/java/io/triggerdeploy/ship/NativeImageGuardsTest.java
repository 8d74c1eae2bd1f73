package io.triggerdeploy.ship;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What stops a native build, checked in the JVM: Quarkus initialises application classes at build time, so a
 * {@code Random}/{@code SecureRandom}/{@code SplittableRandom} in a static field ends up in the image heap (a fatal
 * build error), and security providers registered in a static initialiser are registered in the builder, not in
 * the running binary.
 */
class NativeImageGuardsTest {

    @Test
    void noClassKeepsARandomInAStaticField() throws Exception {
        List<String> offenders = new ArrayList<>();
        List<Class<?>> classes = applicationClasses();
        assertThat(classes).hasSizeGreaterThan(100);
        for (Class<?> c : classes) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())
                        && (Random.class.isAssignableFrom(f.getType()) || SplittableRandom.class.isAssignableFrom(f.getType()))) {
                    offenders.add(c.getName() + "." + f.getName());
                }
            }
        }
        assertThat(offenders).as("static random generators").isEmpty();
    }

    @Test
    void securityProvidersAreNotTouchedInStaticInitialisers() throws IOException {
        List<String> offenders = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String src = Files.readString(f);
                int at = src.indexOf("static {");
                if (at >= 0) {
                    String block = src.substring(at, Math.min(src.length(), at + 1500));
                    if (block.contains("SecurityUtils") || block.contains("Security.addProvider") || block.contains("BouncyCastle")) {
                        offenders.add(f.toString());
                    }
                }
            }
        }
        assertThat(offenders).isEmpty();
    }

    private static List<Class<?>> applicationClasses() throws IOException, ClassNotFoundException {
        Path root = Path.of("target/classes");
        List<Class<?>> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root.resolve("io/triggerdeploy"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                String name = root.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
                // loaded without initialising: nothing of the application runs here
                out.add(Class.forName(name, false, NativeImageGuardsTest.class.getClassLoader()));
            }
        }
        return out;
    }
}
