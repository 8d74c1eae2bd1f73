package io.triggerdeploy.db;

import io.quarkus.liquibase.LiquibaseFactory;
import jakarta.enterprise.context.ApplicationScoped;
import liquibase.Liquibase;
import liquibase.Scope;
import liquibase.ui.LoggerUIService;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Brings the schema up to date, safely when many replicas start at once.
 *
 * <p>Liquibase's own changelog lock is not enough: it polls every 10 s, a killed holder leaves it set
 * forever, and concurrent first starts have been seen to both "acquire" it. So the whole migration runs
 * under a PostgreSQL session advisory lock, which the server releases when the holder's connection dies.
 * Whoever holds the advisory lock knows no live process is migrating and may clear a stale changelog lock.
 *
 * <p>A replica whose database already carries this build's changelog fingerprint skips Liquibase entirely
 * (it costs over a second and tens of MB per start).
 */
@ApplicationScoped
public class SchemaMigrator {

    /** Arbitrary but fixed: "trigger" in ASCII. Every replica of every version must use the same key. */
    static final long MIGRATION_LOCK_KEY = 0x7472696767657200L;
    static final String CHANGELOG = "db/changeLog.xml";
    private static final Logger LOG = Logger.getLogger(SchemaMigrator.class);
    private static final Pattern INCLUDE = Pattern.compile("<include\\s+file=\"([^\"]+)\"");

    private final DataSource dataSource;
    private final LiquibaseFactory liquibaseFactory;
    private final String fingerprint;

    public SchemaMigrator(DataSource dataSource, LiquibaseFactory liquibaseFactory) {
        this.dataSource = dataSource;
        this.liquibaseFactory = liquibaseFactory;
        this.fingerprint = fingerprint();
    }

    /** Runs on the bootstrap thread (blocking JDBC); returns whether Liquibase actually ran here. */
    public boolean migrate() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            if (isCurrent(c)) {
                LOG.debugf("Schema already at fingerprint %s; skipping Liquibase", fingerprint);
                return false;
            }
            long waitStart = System.nanoTime();
            try (Statement st = c.createStatement()) {
                st.execute("SELECT pg_advisory_lock(" + MIGRATION_LOCK_KEY + ")");
            }
            try {
                long waited = (System.nanoTime() - waitStart) / 1_000_000;
                // another replica may have finished while we waited for the lock
                if (isCurrent(c)) {
                    LOG.infof("Schema was migrated by another replica (waited %d ms)", waited);
                    return false;
                }
                clearStaleChangelogLock(c);
                runLiquibase();
                recordFingerprint(c);
                LOG.infof("Database schema migrated (fingerprint %s)", fingerprint.substring(0, 12));
                return true;
            } finally {
                try (Statement st = c.createStatement()) {
                    st.execute("SELECT pg_advisory_unlock(" + MIGRATION_LOCK_KEY + ")");
                }
            }
        }
    }

    public String currentFingerprint() {
        return fingerprint;
    }

    private boolean isCurrent(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT to_regclass('trigger_schema_state') IS NOT NULL")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                return false;
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM trigger_schema_state WHERE fingerprint = ?")) {
            ps.setString(1, fingerprint);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private void clearStaleChangelogLock(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT to_regclass('databasechangeloglock') IS NOT NULL")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                return;
            }
        }
        try (Statement st = c.createStatement()) {
            int cleared = st.executeUpdate(
                    "UPDATE databasechangeloglock SET locked = FALSE, lockgranted = NULL, lockedby = NULL WHERE locked");
            if (cleared > 0) {
                LOG.warn("Cleared a Liquibase changelog lock left behind by a process that is no longer migrating");
            }
        }
    }

    private void runLiquibase() {
        // Liquibase prints changeset progress and a summary to stdout by default; send them to the logger
        System.setProperty("liquibase.command.showSummaryOutput", "LOG");
        try (Liquibase liquibase = liquibaseFactory.createLiquibase()) {
            Scope.child(Scope.Attr.ui.name(), new LoggerUIService(), () ->
                    liquibase.update(liquibaseFactory.createContexts(), liquibaseFactory.createLabels()));
        } catch (Exception e) {
            throw new IllegalStateException("Liquibase migration failed: " + e.getMessage(), e);
        }
    }

    private void recordFingerprint(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO trigger_schema_state (fingerprint) VALUES (?) ON CONFLICT DO NOTHING")) {
            ps.setString(1, fingerprint);
            ps.executeUpdate();
        }
    }

    /** SHA-256 over the master changelog and every file it includes, in order. */
    static String fingerprint() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            String master = read(CHANGELOG);
            md.update(master.getBytes(StandardCharsets.UTF_8));
            Matcher m = INCLUDE.matcher(master);
            while (m.find()) {
                md.update(m.group(1).getBytes(StandardCharsets.UTF_8));
                md.update(read(m.group(1)).getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String read(String resource) {
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Changelog resource missing: " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read changelog " + resource, e);
        }
    }
}
