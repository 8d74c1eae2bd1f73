package io.triggerdeploy.it;

import io.triggerdeploy.support.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A Liquibase changelog lock left behind by a killed migrator is cleared by the next start, without waiting. */
class StaleLockIT {

    private String db;
    private JarProcess app;

    @AfterEach
    void cleanUp() throws InterruptedException {
        if (app != null) {
            app.close();
        }
        if (db != null) {
            TestDatabases.drop(db);
        }
    }

    @Test
    void aStaleChangelogLockIsRecoveredWithin30Seconds() throws Exception {
        db = TestDatabases.create("td_it_stale");
        try (Connection c = TestDatabases.connect(db); Statement st = c.createStatement()) {
            // what a migrator killed half-way leaves: Liquibase's lock row, held by a process that no longer exists
            st.execute("CREATE TABLE databasechangeloglock (id INTEGER PRIMARY KEY, locked BOOLEAN NOT NULL, "
                    + "lockgranted TIMESTAMP, lockedby VARCHAR(255))");
            st.execute("INSERT INTO databasechangeloglock VALUES (1, TRUE, now() - interval '3 minutes', 'dead-pod-7f9c4')");
        }
        long start = System.nanoTime();
        app = JarProcess.start("stale", db, Map.of("TRIGGER_ADMIN_PASSWORD", "stale-lock-admin"));
        assertThat(app.awaitStatus("/q/health/ready", 200, Duration.ofSeconds(30)))
                .as("ready within 30 s; log:%n%s", app.output()).isTrue();
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        assertThat(seconds).isLessThan(30);
        assertThat(app.output()).contains("Cleared a Liquibase changelog lock").doesNotContain(" ERROR ");
        try (Connection c = TestDatabases.connect(db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT locked FROM databasechangeloglock WHERE id = 1")) {
            rs.next();
            assertThat(rs.getBoolean(1)).isFalse();
        }
        var login = app.post("/api/login", "{\"username\":\"admin\",\"password\":\"stale-lock-admin\"}", null);
        assertThat(login.statusCode()).isEqualTo(200);

        // a restart with another configured password never overwrites the existing admin's password
        app.close();
        app = JarProcess.start("restart", db, Map.of("TRIGGER_ADMIN_PASSWORD", "a-different-password"));
        assertThat(app.awaitStatus("/q/health/ready", 200, Duration.ofSeconds(60))).as(app.output()).isTrue();
        assertThat(app.output()).doesNotContain("Created admin").doesNotContain("INITIAL ADMIN PASSWORD")
                .as("an up-to-date schema skips Liquibase").doesNotContain("Database schema migrated");
        assertThat(app.post("/api/login", "{\"username\":\"admin\",\"password\":\"stale-lock-admin\"}", null).statusCode())
                .isEqualTo(200);
        assertThat(app.post("/api/login", "{\"username\":\"admin\",\"password\":\"a-different-password\"}", null).statusCode())
                .isEqualTo(401);
    }
}
