package io.triggerdeploy.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

/**
 * Creates and drops throw-away databases on the PostgreSQL given by POSTGRES_HOST/PORT/USER/PASSWORD
 * (default 127.0.0.1:5432, user postgres), so every test run starts from an empty schema.
 */
public final class TestDatabases {

    private TestDatabases() {
    }

    public static String host() {
        return env("POSTGRES_HOST", "127.0.0.1");
    }

    public static int port() {
        return Integer.parseInt(env("POSTGRES_PORT", "5432"));
    }

    public static String user() {
        return env("POSTGRES_USER", "postgres");
    }

    public static String password() {
        return env("POSTGRES_PASSWORD", "");
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
