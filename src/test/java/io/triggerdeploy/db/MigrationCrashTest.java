package io.triggerdeploy.db;

import io.quarkus.liquibase.LiquibaseFactory;
import io.quarkus.test.junit.QuarkusTest;
import io.triggerdeploy.security.PasswordHasher;
import io.triggerdeploy.support.MigrationCrash;
import io.triggerdeploy.support.TestDatabases;
import io.triggerdeploy.user.AdminBootstrap;
import io.triggerdeploy.user.AdminConfig;
import io.triggerdeploy.user.NamespaceCheck;
import io.triggerdeploy.user.UserRepository;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgPool;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;
import jakarta.inject.Inject;
import org.jboss.logmanager.ExtHandler;
import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.Level;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * For every changeset k of the changelog, the state a process killed between Liquibase's two commits leaves
 * (changesets 1..k applied, k not recorded, the changelog lock held) is started over with the service's own startup
 * path (the bootstrap, its migrator and the steps that write at start), which must end ready: the schema the same as a
 * clean migration's, every changeset recorded once, the lock free, one admin, no error logged.
 *
 * <p>One JVM for all k: a "progress" database takes the changesets one at a time and is copied (as a template) into a
 * crash database per k.
 */
@QuarkusTest
class MigrationCrashTest {

    private static final String BOOTSTRAP_THREAD = "trigger-db-bootstrap-crash-test";

    @Inject
    LiquibaseFactory liquibaseFactory;
    @Inject
    DbConfig dbConfig;
    @Inject
    DatasourceSettings datasourceSettings;
    @Inject
    AdminConfig adminConfig;
    @Inject
    PasswordHasher hasher;
    @Inject
    Vertx vertx;

    @Test
    void aCrashBetweenApplyingAndRecordingAnyChangesetRecoversAtTheNextStart() throws Exception {
        List<String> ids = MigrationCrash.changesetIds();
        assertThat(ids).as("the changelog's changesets").hasSizeGreaterThanOrEqualTo(29);

        // the reference: an empty database started once (also the crash "before anything was applied")
        String reference = TestDatabases.create("td_crash_ref");
        String progress = TestDatabases.create("td_crash_progress");
        List<String> failures = new ArrayList<>();
        try {
            Outcome clean = start(reference);
            assertThat(clean.problems()).as("a clean start").isEmpty();
            List<String> schema = MigrationCrash.schema(reference);
            assertThat(schema).as("the clean schema").anyMatch(l -> l.startsWith("trigger CREATE TRIGGER users_changed "));

            for (int k = 1; k <= ids.size(); k++) {
                MigrationCrash.applyNext(progress, 1);
                String crashed = "td_crash_" + k + "_" + progress.substring(progress.lastIndexOf('_') + 1);
                admin("CREATE DATABASE " + crashed + " TEMPLATE " + progress);
                try {
                    String forgotten = MigrationCrash.forgetLastAndHoldLock(crashed);
                    assertThat(forgotten).isEqualTo(ids.get(k - 1));
                    Outcome o = start(crashed);
                    List<String> problems = new ArrayList<>(o.problems());
                    if (o.ready()) {
                        MigrationCrash.Changelog log = MigrationCrash.changelog(crashed);
                        if (!log.ids().equals(ids)) {
                            problems.add("changelog holds " + log.rows() + " rows (" + log.distinct() + " distinct), not each of the "
                                    + ids.size() + " changesets once in order");
                        }
                        if (log.locked()) {
                            problems.add("the changelog lock is still held");
                        }
                        List<String> now = MigrationCrash.schema(crashed);
                        if (!now.equals(schema)) {
                            List<String> missing = new ArrayList<>(schema);
                            missing.removeAll(now);
                            List<String> extra = new ArrayList<>(now);
                            extra.removeAll(schema);
                            problems.add("schema differs from a clean migration: missing " + missing + ", extra " + extra);
                        }
                        long admins = count(crashed, "SELECT count(*) FROM users WHERE role = 'admin' AND lower(username) = lower('"
                                + adminConfig.username() + "')");
                        if (admins != 1) {
                            problems.add(admins + " admin users");
                        }
                    }
                    if (!problems.isEmpty()) {
                        failures.add("crash after changeset " + k + " (" + forgotten + ") applied, not recorded: " + problems);
                    }
                } finally {
                    TestDatabases.drop(crashed);
                }
            }
        } finally {
            TestDatabases.drop(reference);
            TestDatabases.drop(progress);
        }
        assertThat(failures).as("crash points whose next start was not ready and whole (%d of %d)", failures.size(), ids.size())
                .isEmpty();
    }

    @Test
    void aDatabaseTheReleasedChangesetsMigratedStartsAndOnlyAForeignChecksumIsRefused() throws Exception {
        // the checksums the release before the rewrite recorded (read off a database it migrated)
        List<String[]> released = new ArrayList<>();
        try (var in = getClass().getResourceAsStream("/db/released-checksums.tsv")) {
            for (String line : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    released.add(line.split("\t"));
                }
            }
        }
        assertThat(released).hasSize(29);
        String db = TestDatabases.create("td_released");
        try {
            assertThat(start(db).problems()).isEmpty();
            String before = String.join(",", MigrationCrash.changelog(db).ids());
            try (Connection c = TestDatabases.connect(db); Statement st = c.createStatement()) {
                for (String[] r : released) {
                    assertThat(st.executeUpdate("UPDATE databasechangelog SET md5sum = '" + r[1] + "' WHERE id = '" + r[0] + "'"))
                            .as("changeset %s is in the changelog", r[0]).isEqualTo(1);
                }
                st.execute("DELETE FROM trigger_schema_state"); // what a database of that release holds: another fingerprint
            }
            Outcome upgraded = start(db);
            assertThat(upgraded.problems()).as("start over the released checksums").isEmpty();
            assertThat(String.join(",", MigrationCrash.changelog(db).ids())).as("nothing ran twice").isEqualTo(before);

            // a checksum neither released nor current is still refused: the validation is on, the list is exact
            try (Connection c = TestDatabases.connect(db); Statement st = c.createStatement()) {
                st.execute("UPDATE databasechangelog SET md5sum = '9:00000000000000000000000000000000' WHERE id = '0002-users'");
                st.execute("DELETE FROM trigger_schema_state");
            }
            Outcome foreign = start(db);
            assertThat(foreign.ready()).isFalse();
            assertThat(foreign.problems().toString()).contains("0002-users").contains("check sum");
        } finally {
            TestDatabases.drop(db);
        }
    }

    record Outcome(boolean ready, List<String> problems) {
    }

    /** The service's startup path over {@code db}: wait, migrate (advisory lock, stale lock cleared), admin, ping. */
    private Outcome start(String db) throws Exception {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(TestDatabases.jdbcUrl(db));
        ds.setUser(TestDatabases.user());
        ds.setPassword(TestDatabases.password());
        Pool pool = PgPool.pool(vertx, new PgConnectOptions().setHost(TestDatabases.host()).setPort(TestDatabases.port())
                .setDatabase(db).setUser(TestDatabases.user()).setPassword(TestDatabases.password()), new PoolOptions().setMaxSize(2));
        Errors errors = new Errors();
        Logger root = Logger.getLogger("");
        root.addHandler(errors);
        try {
            UserRepository users = new UserRepository(pool);
            SchemaMigrator migrator = new SchemaMigrator(ds,
                    new LiquibaseFactory(liquibaseFactory.getConfiguration(), ds, liquibaseFactory.getDataSourceName()));
            DatabaseState state = new DatabaseState();
            DatabaseBootstrap bootstrap = new DatabaseBootstrap(state, migrator, ds, new DatabaseProbeRepository(pool), dbConfig,
                    List.of(new AdminBootstrap(adminConfig, hasher, users), new NamespaceCheck(users)), datasourceSettings);
            Thread thread = new Thread(bootstrap::bootstrap, BOOTSTRAP_THREAD);
            thread.start();
            thread.join(120_000);
            if (thread.isAlive()) {
                thread.interrupt();
                return new Outcome(false, List.of("startup still running after 120 s: " + state.detail()));
            }
            List<String> problems = new ArrayList<>();
            if (state.phase() != DatabaseState.Phase.READY) {
                problems.add("not ready: " + state.phase() + " (" + state.detail() + ")");
            }
            problems.addAll(errors.lines);
            return new Outcome(state.phase() == DatabaseState.Phase.READY, problems);
        } finally {
            root.removeHandler(errors);
            pool.closeAndAwait();
        }
    }

    /** ERROR lines logged by the bootstrap thread while one start runs. */
    static final class Errors extends ExtHandler {
        final List<String> lines = new CopyOnWriteArrayList<>();

        @Override
        protected void doPublish(ExtLogRecord r) {
            if (r.getLevel().intValue() >= Level.ERROR.intValue() && BOOTSTRAP_THREAD.equals(Thread.currentThread().getName())) {
                lines.add("ERROR " + r.getLoggerName() + ": " + r.getFormattedMessage());
            }
        }
    }

    private static long count(String db, String sql) throws Exception {
        try (Connection c = TestDatabases.connect(db); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void admin(String sql) throws Exception {
        try (Connection c = TestDatabases.connect("postgres"); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
