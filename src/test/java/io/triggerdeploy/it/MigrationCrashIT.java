package io.triggerdeploy.it;

import io.triggerdeploy.support.MigrationCrash;
import io.triggerdeploy.support.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged jar starts on what a replica killed between Liquibase's two commits left (changesets 1..k applied, k not
 * recorded, the changelog lock held): ready, every changeset recorded once, the admin can sign in. MigrationCrashTest
 * covers every k through the startup path in one JVM; this covers a few through the real process.
 */
class MigrationCrashIT {

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

    @ParameterizedTest(name = "killed after changeset {0} was applied, before it was recorded")
    @ValueSource(ints = {1, 24, 29})
    void theNextStartIsReadyAndWhole(int k) throws Exception {
        List<String> ids = MigrationCrash.changesetIds();
        String environments = "0021-environments-approvals"; // turns servers' environment names into rows
        int withData = ids.indexOf(environments);
        db = TestDatabases.create("td_it_crash");
        if (k > withData) {
            MigrationCrash.applyNext(db, withData);
            try (Connection c = TestDatabases.connect(db); Statement st = c.createStatement()) {
                st.execute("INSERT INTO servers (name, alias, host, ssh_user, path, environment) VALUES "
                        + "('web 1', 'web1', '127.0.0.1', 'deploy', '/srv/app', 'Production'), "
                        + "('web 2', 'web2', '127.0.0.1', 'deploy', '/srv/app', 'production')");
            }
            MigrationCrash.applyNext(db, k - withData);
        } else {
            MigrationCrash.applyNext(db, k);
        }
        assertThat(MigrationCrash.forgetLastAndHoldLock(db)).isEqualTo(ids.get(k - 1));

        app = JarProcess.start("crash" + k, db, Map.of("TRIGGER_ADMIN_PASSWORD", "crash-admin-pass"));
        assertThat(app.awaitStatus("/q/health/ready", 200, Duration.ofSeconds(90))).as("ready; log:%n%s", app.output()).isTrue();
        assertThat(app.output()).contains("Cleared a Liquibase changelog lock").doesNotContain(" ERROR ");
        MigrationCrash.Changelog log = MigrationCrash.changelog(db);
        assertThat(log.ids()).as("each changeset recorded once, in order").isEqualTo(ids);
        assertThat(log.locked()).isFalse();
        assertThat(app.post("/api/login", "{\"username\":\"admin\",\"password\":\"crash-admin-pass\"}", null).statusCode())
                .isEqualTo(200);
        if (k > withData) {
            try (Connection c = TestDatabases.connect(db); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT string_agg(name, ',') FROM environments")) {
                rs.next();
                assertThat(rs.getString(1)).as("the environment made from the servers' names, once").isEqualTo("Production");
            }
        }
    }
}
