package io.triggerdeploy.ship;

import io.triggerdeploy.cli.Td;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps the structure the "Code map" of src/docs/architecture.md describes, read from the sources: packages depend only on packages
 * below them (so there is no cycle), only repositories touch the reactive pool or a Hibernate Reactive session,
 * and no method in src/main is longer than 60 lines.
 */
class ArchitectureTest {

    /** Bottom to top; a package may use only those before it. Keep in step with the "Code map" of src/docs/architecture.md. */
    static final List<String> LAYERS = List.of("cli", "db", "common", "security", "audit", "user", "federation", "auth", "account", "access",
            "ssh", "environment", "server", "deploy", "schedule", "hook", "notify", "ci", "metrics", "analytics", "monitor", "rollout", "chat", "legacy", "web");

    private static final Path MAIN = Path.of("src/main/java/io/triggerdeploy");
    private static final Pattern REFERENCE = Pattern.compile("io\\.triggerdeploy\\.([a-z]+)\\.[A-Z]");
    private static final Pattern COMMENT = Pattern.compile("(?s)/\\*.*?\\*/|//[^\\n]*");

    /**
     * The td command line runs on a bare JVM (the service serves it as a jar of its own classes): its package imports the
     * JDK only, and {@code Td.PARTS}, the classes the service puts into td.jar, are exactly the classes the build made.
     */
    @Test
    void theCommandLineUsesTheJdkOnlyAndItsJarHoldsAllItsClasses() throws IOException {
        Path cli = MAIN.resolve("cli");
        try (Stream<Path> files = Files.list(cli)) {
            for (Path f : files.toList()) {
                for (String line : Files.readAllLines(f)) {
                    if (line.startsWith("import ")) {
                        assertThat(line).as("%s imports only the JDK", f.getFileName()).matches("import (static )?java\\..*");
                    }
                }
            }
        }
        try (Stream<Path> built = Files.list(Path.of("target/classes/io/triggerdeploy/cli"))) {
            assertThat(built.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".class")).sorted())
                    .containsExactlyElementsOf(Td.PARTS.stream()
                            .map(c -> c.getName().substring(c.getName().lastIndexOf('.') + 1) + ".class").sorted().toList());
        }
    }

    @Test
    void everyPackageIsInTheLayerListAndUsesOnlyPackagesBelowIt() throws IOException {
        Map<String, TreeSet<String>> upward = new TreeMap<>();
        for (Path f : sources()) {
            String pkg = MAIN.relativize(f.getParent()).toString();
            assertThat(LAYERS).as("package %s is in ArchitectureTest.LAYERS and the Code map of src/docs/architecture.md", pkg).contains(pkg);
            Matcher m = REFERENCE.matcher(code(f));
            while (m.find()) {
                String used = m.group(1);
                if (!used.equals(pkg) && LAYERS.indexOf(used) > LAYERS.indexOf(pkg)) {
                    upward.computeIfAbsent(pkg + " -> " + used, k -> new TreeSet<>()).add(f.getFileName().toString());
                }
            }
        }
        assertThat(upward).as("dependencies that point up the layer list (move the type down instead)").isEmpty();
    }

    @Test
    void onlyRepositoriesTouchThePoolOrASession() throws IOException {
        List<String> offenders = new ArrayList<>();
        Pattern sql = Pattern.compile("\\bio\\.vertx\\.mutiny\\.sqlclient\\.Pool\\b|\\bMutiny\\.Session\\b|\\bPanache\\.with");
        for (Path f : sources()) {
            String name = f.getFileName().toString();
            // Transactions opens the transaction that repositories join; it hands services an opaque Tx
            boolean allowed = name.endsWith("Repository.java") || f.endsWith(Path.of("db", "Transactions.java"));
            if (!allowed && sql.matcher(code(f)).find()) {
                offenders.add(MAIN.relativize(f).toString());
            }
        }
        assertThat(offenders).as("classes outside repositories that reach the database directly").isEmpty();
    }

    @Test
    void theTransactionIsOpaqueAndResourcesMapHttpOnly() throws IOException {
        // repositories hold every statement: a service passes its Tx on and never reaches the connection inside it;
        // an HTTP class (resource or page) asks a service, which owns the transaction, the rules and the audit record
        Pattern connection = Pattern.compile("\\.client\\(\\)|\\bSqlClient\\b");
        Pattern transaction = Pattern.compile("\\bTransactions\\b|\\bTx\\b|\\b\\w+Repository\\b");
        // the audit record and the cache invalidation of a change belong to the service that commits it
        Pattern afterTheFact = Pattern.compile("\\.record(InSession)?\\(|\\.changed\\(\\)|\\.changing\\(");
        List<String> offenders = new ArrayList<>();
        for (Path f : sources()) {
            String name = f.getFileName().toString();
            String code = code(f);
            boolean repository = name.endsWith("Repository.java") || f.startsWith(MAIN.resolve("db"));
            if (!repository && connection.matcher(code).find()) {
                offenders.add(MAIN.relativize(f) + " reaches the connection of a transaction");
            }
            boolean http = code.contains("@jakarta.ws.rs.Path(") || code.contains("\n@Path(") || name.endsWith("Page.java")
                    || name.endsWith("Pages.java");
            if (http && transaction.matcher(code).find()) {
                offenders.add(MAIN.relativize(f) + " opens a transaction or uses a repository");
            }
            if (http && afterTheFact.matcher(code).find()) {
                offenders.add(MAIN.relativize(f) + " records an audit event or forgets a cache itself (the service does, with the change)");
            }
        }
        assertThat(offenders).as("transactions kept opaque, HTTP classes without transactions or repositories").isEmpty();
    }

    @Test
    void everyOwnSettingIsReadThroughAConfigMapping() throws IOException {
        // one typed, validated, documented place per setting: a stray @ConfigProperty skips the startup check that
        // names a missing or invalid setting, and hides the setting from the mapping's reader
        Pattern stray = Pattern.compile("@ConfigProperty\\(\\s*name\\s*=\\s*\"trigger\\.|getValue\\(\\s*\"trigger\\.|getOptionalValue\\(\\s*\"trigger\\.");
        List<String> offenders = new ArrayList<>();
        for (Path f : sources()) {
            if (stray.matcher(code(f)).find()) {
                offenders.add(MAIN.relativize(f).toString());
            }
        }
        assertThat(offenders).as("classes reading a trigger.* setting outside a @ConfigMapping").isEmpty();
    }

    @Test
    void aRepositoryIsUsedOnlyByItsOwnFeature() throws IOException {
        Pattern repository = Pattern.compile("io\\.triggerdeploy\\.([a-z]+)\\.(\\w+Repository)\\b");
        List<String> offenders = new ArrayList<>();
        for (Path f : sources()) {
            String pkg = MAIN.relativize(f.getParent()).toString();
            Matcher m = repository.matcher(code(f));
            while (m.find()) {
                if (!m.group(1).equals(pkg)) {
                    offenders.add(MAIN.relativize(f) + " uses " + m.group(1) + "." + m.group(2));
                }
            }
        }
        assertThat(offenders).as("go through the other feature's service instead").isEmpty();
    }

    @Test
    void noMethodIsLongerThanSixtyLines() throws IOException {
        Pattern start = Pattern.compile("^( {4}| {8})(?! )(?!if |for |while |switch |try|catch|else|do |return |synchronized \\()"
                + "[\\w<>\\[\\], .?@\"()=]*\\)( throws [\\w., ]+)? \\{$");
        List<String> tooLong = new ArrayList<>();
        for (Path f : sources()) {
            List<String> lines = Files.readAllLines(f);
            for (int i = 0; i < lines.size(); i++) {
                // a signature may wrap: join the continuation lines (indented deeper) up to the one ending in '{' or ';'
                StringBuilder sig = new StringBuilder(lines.get(i));
                int open = i;
                while (open + 1 < lines.size() && !sig.toString().endsWith("{") && !sig.toString().endsWith(";")
                        && sig.toString().matches("^ {4,8}(?! )[\\w<>\\[\\], .?@\"()]*\\w+\\(.*") && lines.get(open + 1).startsWith("            ")) {
                    sig.append(' ').append(lines.get(++open).trim());
                }
                String line = sig.toString();
                Matcher m = start.matcher(line);
                if (!m.matches() || line.contains(" new ") || line.contains("->") || line.matches("^\\s*[\\w<>\\[\\], .?]+ \\w+ = .*")) {
                    continue;
                }
                String close = m.group(1) + "}";
                int end = open + 1;
                while (end < lines.size() && !lines.get(end).equals(close)) {
                    end++;
                }
                int length = end - open - 1;
                if (length > 60) {
                    tooLong.add(MAIN.relativize(f) + ":" + (i + 1) + " (" + length + " lines)");
                }
            }
        }
        assertThat(tooLong).as("methods longer than 60 lines").isEmpty();
    }

    @Test
    void constructorsAssignFieldsInTheOrderTheyAreDeclared() throws IOException {
        // Checkstyle holds the rest of the house style (.checkstyle/checkstyle.xml); this one it has no check for
        Pattern field = Pattern.compile("^    (?:private |protected |public )?(?:final )?[\\w<>, .?\\[\\]]+ (\\w+);$");
        Pattern assignment = Pattern.compile("^        this\\.(\\w+) = \\w+;$");
        List<String> offenders = new ArrayList<>();
        for (Path f : sources()) {
            List<String> lines = Files.readAllLines(f);
            List<String> fields = new ArrayList<>();
            for (String line : lines) {
                Matcher m = field.matcher(line);
                if (m.matches() && !line.contains(" static ") && !line.contains(" return ")) {
                    fields.add(m.group(1));
                }
            }
            int last = -1;
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = assignment.matcher(lines.get(i));
                if (!m.matches()) {
                    last = -1;
                    continue;
                }
                int rank = fields.indexOf(m.group(1));
                if (rank >= 0 && rank < last) {
                    offenders.add(MAIN.relativize(f) + ":" + (i + 1) + " assigns " + m.group(1) + " after a field declared below it");
                }
                last = Math.max(last, rank);
            }
        }
        assertThat(offenders).as("constructors that assign fields out of their declaration order").isEmpty();
    }

    @Test
    void theCheckerSeesTheCodeItChecks() throws IOException {
        // a guard for the checks above: they must read the real sources, and find the known arrows
        assertThat(sources()).hasSizeGreaterThan(100);
        String runner = code(MAIN.resolve("deploy/Execution.java"));
        assertThat(REFERENCE.matcher(runner).find()).isTrue();
    }

    private static List<Path> sources() throws IOException {
        try (Stream<Path> s = Files.walk(MAIN)) {
            return s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
    }

    private static String code(Path f) throws IOException {
        return COMMENT.matcher(Files.readString(f)).replaceAll("");
    }
}
