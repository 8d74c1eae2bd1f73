package io.triggerdeploy.support;

import liquibase.Contexts;
import liquibase.LabelExpression;
import liquibase.Liquibase;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.resource.ClassLoaderResourceAccessor;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Builds, in a real database, the state a process killed during a migration leaves: Liquibase commits a changeset's
 * SQL and records it in {@code databasechangelog} in two steps, so a kill between them leaves changesets 1..k applied,
 * k not recorded, and Liquibase's changelog lock still held by the dead process. Uses Liquibase's own update-count on
 * the project's changelog, so the state is exactly what the service's migration would have left.
 */
public final class MigrationCrash {

    public static final String CHANGELOG = "db/changeLog.xml";

    private MigrationCrash() {
    }

    /** Applies (and records) the next {@code count} changesets of the project's changelog to {@code db}. */
    public static void applyNext(String db, int count) throws Exception {
        try (Connection c = TestDatabases.connect(db)) {
            Database database = DatabaseFactory.getInstance().findCorrectDatabaseImplementation(new JdbcConnection(c));
            try (Liquibase liquibase = new Liquibase(CHANGELOG, new ClassLoaderResourceAccessor(), database)) {
                liquibase.update(count, new Contexts(), new LabelExpression());
            }
        }
    }

    /** The ids of the project's changesets, in the order they run. */
    public static List<String> changesetIds() throws Exception {
        try (Liquibase liquibase = new Liquibase(CHANGELOG, new ClassLoaderResourceAccessor(), (Database) null)) {
            List<String> ids = new ArrayList<>();
            liquibase.getDatabaseChangeLog().getChangeSets().forEach(cs -> ids.add(cs.getId()));
            return ids;
        }
    }

    /**
     * Turns a database whose last applied changeset is recorded into one where it is applied but not recorded, and
     * leaves the changelog lock held by a process that no longer exists: what {@code kill -9} between Liquibase's
     * two commits leaves. Returns the id of the changeset it "un-recorded".
     */
    public static String forgetLastAndHoldLock(String db) throws SQLException {
        try (Connection c = TestDatabases.connect(db); Statement st = c.createStatement()) {
            String id;
            try (ResultSet rs = st.executeQuery(
                    "DELETE FROM databasechangelog WHERE orderexecuted = (SELECT max(orderexecuted) FROM databasechangelog) RETURNING id")) {
                if (!rs.next()) {
                    throw new IllegalStateException("no changeset recorded in " + db);
                }
                id = rs.getString(1);
            }
            int locked = st.executeUpdate("UPDATE databasechangeloglock SET locked = TRUE, lockgranted = now(), "
                    + "lockedby = 'killed-replica (pid 4242)' WHERE id = 1");
            if (locked != 1) {
                throw new IllegalStateException("no changelog lock row in " + db);
            }
            return id;
        }
    }

    /** Rows and distinct ids of {@code databasechangelog}, and whether its lock is held. */
    public record Changelog(int rows, List<String> ids, boolean locked) {

        public int distinct() {
            return new TreeSet<>(ids).size();
        }
    }

    public static Changelog changelog(String db) throws SQLException {
        try (Connection c = TestDatabases.connect(db); Statement st = c.createStatement()) {
            List<String> ids = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT id FROM databasechangelog ORDER BY orderexecuted")) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            boolean locked;
            try (ResultSet rs = st.executeQuery("SELECT locked FROM databasechangeloglock WHERE id = 1")) {
                locked = rs.next() && rs.getBoolean(1);
            }
            return new Changelog(ids.size(), ids, locked);
        }
    }

    /**
     * The schema as a sorted list of lines: every column with its type, default and nullability, every constraint and
     * index with its definition, every trigger and function. Two databases with equal lists have the same schema.
     */
    public static List<String> schema(String db) throws SQLException {
        List<String> lines = new ArrayList<>();
        try (Connection c = TestDatabases.connect(db); Statement st = c.createStatement()) {
            collect(st, lines, "SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || "
                    + "coalesce('(' || character_maximum_length || ')', '') || ' null=' || is_nullable || "
                    + "' default=' || coalesce(column_default, '-') FROM information_schema.columns WHERE table_schema = 'public'");
            collect(st, lines, "SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) "
                    + "FROM pg_constraint WHERE connamespace = 'public'::regnamespace");
            collect(st, lines, "SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public'");
            collect(st, lines, "SELECT 'trigger ' || pg_get_triggerdef(t.oid) FROM pg_trigger t "
                    + "JOIN pg_class r ON r.oid = t.tgrelid WHERE NOT t.tgisinternal AND r.relnamespace = 'public'::regnamespace");
            collect(st, lines, "SELECT 'function ' || p.proname || ' ' || md5(pg_get_functiondef(p.oid)) FROM pg_proc p "
                    + "WHERE p.pronamespace = 'public'::regnamespace AND p.prokind = 'f' "
                    + "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')");
        }
        lines.sort(null);
        return lines;
    }

    private static void collect(Statement st, List<String> lines, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                lines.add(rs.getString(1));
            }
        }
    }
}
