package io.triggerdeploy.support;

import io.triggerdeploy.db.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Creates and drops throw-away databases on the PostgreSQL given by POSTGRES_HOST/PORT/USER/PASSWORD (port 5432 and user
 * postgres by default), so every test run starts from an empty schema. Without POSTGRES_HOST, the tests use the service's
 * own embedded PostgreSQL ({@link EmbeddedPostgres}): one per test JVM, in a temporary folder, started on first use and
 * stopped and removed when the JVM ends, so the README's test command needs no database set-up.
 */
public final class TestDatabases {

    /** The embedded server's port and password, shared through system properties (Quarkus tests load this class twice). */
    private static final String PORT_PROPERTY = "td.test.embedded-postgres.port";
    private static final String PASSWORD_PROPERTY = "td.test.embedded-postgres.password";

    private TestDatabases() {
    }

    public static String host() {
        return env("POSTGRES_HOST", "127.0.0.1");
    }

    public static int port() {
        return embedded() ? Integer.parseInt(startEmbedded()[0]) : Integer.parseInt(env("POSTGRES_PORT", "5432"));
    }

    public static String user() {
        return embedded() ? EmbeddedPostgres.SUPERUSER : env("POSTGRES_USER", "postgres");
    }

    public static String password() {
        return embedded() ? startEmbedded()[1] : env("POSTGRES_PASSWORD", "");
    }

    private static boolean embedded() {
        String h = System.getenv("POSTGRES_HOST");
        return h == null || h.isBlank();
    }

    /** Starts this JVM's embedded server once (whichever class loader asks first); answers its port and password. */
    private static String[] startEmbedded() {
        synchronized (System.getProperties()) {
            if (System.getProperty(PORT_PROPERTY) == null) {
                try {
                    Path dir = Files.createTempDirectory("td-test-postgres-");
                    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
                    // throw-away data: no fsync, no waiting for the WAL at commit
                    EmbeddedPostgres pg = new EmbeddedPostgres(dir, EmbeddedPostgres.root() ? "nobody" : null,
                            List.of("fsync=off", "synchronous_commit=off", "full_page_writes=off"));
                    pg.start();
                    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                        pg.stop();
                        deleteTree(dir);
                    }, "test-postgres-stop"));
                    System.setProperty(PASSWORD_PROPERTY, pg.password());
                    System.setProperty(PORT_PROPERTY, String.valueOf(pg.port()));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot start the embedded PostgreSQL for the tests (or set POSTGRES_HOST)", e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while starting the embedded PostgreSQL", e);
                }
            }
            return new String[]{System.getProperty(PORT_PROPERTY), System.getProperty(PASSWORD_PROPERTY)};
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary folder: the system cleans it eventually
        }
    }

    public static String jdbcUrl(String db) {
        return "jdbc:postgresql://" + host() + ":" + port() + "/" + db;
    }

    public static boolean reachable() {
        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), user(), password())) {
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    public static String create(String prefix) {
        String name = (prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12)).toLowerCase(Locale.ROOT);
        admin("CREATE DATABASE " + name);
        return name;
    }

    public static void drop(String name) {
        admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }

    public static Connection connect(String db) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(db), user(), password());
    }

    private static void admin(String sql) {
        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), user(), password());
             Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot run '" + sql + "' on " + host() + ":" + port()
                    + " (set POSTGRES_HOST/PORT/USER/PASSWORD): " + e.getMessage(), e);
        }
    }

    private static String env(String key, String def) {
        String v = System.getenv(key);
        return v == null || v.isBlank() ? def : v;
    }
}
