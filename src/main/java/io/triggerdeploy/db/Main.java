package io.triggerdeploy.db;

import io.quarkus.runtime.ApplicationLifecycleManager;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BiConsumer;

/**
 * The service's entry point ({@code java -jar}, {@code quarkus:dev}): when no database is configured (no
 * {@code POSTGRES_HOST}, no {@code QUARKUS_DATASOURCE_*} URL), it starts the embedded PostgreSQL first and points the
 * {@code POSTGRES_*} settings at it (as system properties, which every profile's datasource URLs read), and stops it
 * after the application has stopped. In embedded mode a secrets key is made once in the data directory when none is
 * configured, so secret parameters and two-factor sign-in work from the first start.
 */
@QuarkusMain
public final class Main {

    /** Set while this JVM runs an embedded PostgreSQL: its data directory (dev mode restarts the application, not this). */
    public static final String EMBEDDED_PROPERTY = "trigger.embedded.data-dir";
    private static volatile EmbeddedPostgres embedded;

    private Main() {
    }

    public static void main(String... args) {
        boolean dev = LaunchMode.current() == LaunchMode.DEVELOPMENT;
        if (System.getProperty(EMBEDDED_PROPERTY) == null && wantsEmbedded()) {
            try {
                startEmbedded(dev);
            } catch (EmbeddedPostgres.EmbeddedFailure e) {
                System.err.println("trigger-deploy: cannot start the embedded PostgreSQL: " + e.getMessage());
                System.exit(1);
            } catch (IOException e) {
                System.err.println("trigger-deploy: cannot start the embedded PostgreSQL: " + e);
                System.exit(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                System.exit(1);
            }
        }
        if (embedded != null && !dev) {
            // normally the application stops the server as its last step (EmbeddedDatabaseLifecycle); when it fails to
            // start, this does before the process exits. The default handler (not one passed to run) keeps Quarkus's own
            // report of the failure.
            BiConsumer<Integer, Throwable> exit = ApplicationLifecycleManager.getDefaultExitCodeHandler();
            ApplicationLifecycleManager.setDefaultExitCodeHandler((code, failure) -> {
                stopEmbedded();
                exit.accept(code, failure);
            });
        }
        Quarkus.run(args);
    }

    /** No database given: neither POSTGRES_HOST nor a QUARKUS_DATASOURCE_* URL, and the embedded server not refused. */
    static boolean wantsEmbedded() {
        if ("false".equalsIgnoreCase(setting("TRIGGER_EMBEDDED_POSTGRES", "trigger.embedded-postgres"))) {
            return false;
        }
        return setting("POSTGRES_HOST", "POSTGRES_HOST") == null
                && setting("QUARKUS_DATASOURCE_REACTIVE_URL", "quarkus.datasource.reactive.url") == null
                && setting("QUARKUS_DATASOURCE_JDBC_URL", "quarkus.datasource.jdbc.url") == null;
    }

    private static void startEmbedded(boolean dev) throws IOException, InterruptedException {
        boolean root = EmbeddedPostgres.root();
        String runAs = root ? orDefault(setting("TRIGGER_EMBEDDED_POSTGRES_USER", "trigger.embedded-postgres.user"), "nobody") : null;
        EmbeddedPostgres pg = new EmbeddedPostgres(dataDir(root), runAs);
        pg.start();
        embedded = pg;
        System.setProperty("POSTGRES_HOST", "127.0.0.1");
        System.setProperty("POSTGRES_PORT", String.valueOf(pg.port()));
        System.setProperty("POSTGRES_USER", EmbeddedPostgres.SUPERUSER);
        System.setProperty("POSTGRES_PASSWORD", pg.password());
        System.setProperty(EMBEDDED_PROPERTY, pg.dataDir().toString());
        System.setProperty("trigger.embedded.port", String.valueOf(pg.port()));
        System.setProperty("trigger.embedded.user", runAs == null ? "" : runAs);
        secretsKey(pg.dataDir());
        if (dev) {
            // dev mode restarts the application within this JVM: the server lives as long as the JVM
            Runtime.getRuntime().addShutdownHook(new Thread(pg::stop, "embedded-postgres-stop"));
        }
    }

    /** A secrets key made once (mode 0600) in the data directory, unless one is configured. */
    private static void secretsKey(Path dataDir) throws IOException {
        if (setting("TRIGGER_SECRETS_KEY_FILE", "trigger.secrets.key-file") != null) {
            return;
        }
        Path key = dataDir.resolve("secrets.key");
        if (!Files.exists(key)) {
            EmbeddedPostgres.writePrivate(key, EmbeddedPostgres.randomKey() + "\n");
        }
        System.setProperty("trigger.secrets.key-file", key.toString());
        System.setProperty("trigger.embedded.secrets-key", "generated");
    }

    /** Stops the embedded PostgreSQL of this JVM, if any (after the application stopped: its last writes are done). */
    static void stopEmbedded() {
        EmbeddedPostgres pg = embedded;
        embedded = null;
        if (pg != null) {
            pg.stop();
        }
    }

    /** TRIGGER_DATA_DIR, else /var/lib/trigger-deploy for root, else $XDG_DATA_HOME or ~/.local/share, /trigger-deploy. */
    static Path dataDir(boolean root) {
        String set = setting("TRIGGER_DATA_DIR", "trigger.data-dir");
        if (set != null) {
            return Path.of(set);
        }
        if (root) {
            return Path.of("/var/lib/trigger-deploy");
        }
        String xdg = System.getenv("XDG_DATA_HOME");
        return (xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".local", "share"))
                .resolve("trigger-deploy");
    }

    private static String setting(String env, String property) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            v = System.getenv(env);
        }
        return v == null || v.isBlank() ? null : v;
    }

    private static String orDefault(String v, String fallback) {
        return v == null ? fallback : v;
    }

}
