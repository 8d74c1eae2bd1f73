package io.triggerdeploy.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.triggerdeploy.support.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Eight copies of the packaged jar start at once against one empty database. */
class ConcurrentStartIT {

    private static final int REPLICAS = 8;
    private final List<JarProcess> replicas = new ArrayList<>();
    private String db;

    @AfterEach
    void cleanUp() throws InterruptedException {
        for (JarProcess p : replicas) {
            p.close();
        }
        if (db != null) {
            TestDatabases.drop(db);
        }
    }

    @Test
    void eightReplicasStartTogetherWithExactlyOneMigrationAndOneAdmin() throws Exception {
        db = TestDatabases.create("td_it_concurrent");
        for (int i = 0; i < REPLICAS; i++) {
            replicas.add(JarProcess.start("replica" + i, db, Map.of()));
        }
        for (JarProcess p : replicas) {
            assertThat(p.awaitStatus("/q/health/ready", 200, Duration.ofSeconds(240)))
                    .as("replica on port %d became ready; log:%n%s", p.port, p.output()).isTrue();
        }

        try (Connection c = TestDatabases.connect(db); Statement st = c.createStatement()) {
            assertThat(count(st, "SELECT count(*) FROM users WHERE role = 'admin'")).isEqualTo(1);
            assertThat(count(st, "SELECT count(*) FROM users")).isEqualTo(1);
            assertThat(count(st, "SELECT count(*) FROM databasechangelog")).isEqualTo(changeSetCount());
            assertThat(count(st, "SELECT count(*) FROM (SELECT id FROM databasechangelog GROUP BY id, filename HAVING count(*) > 1) d")).isZero();
            assertThat(count(st, "SELECT count(*) FROM signing_keys")).isEqualTo(1);
            assertThat(count(st, "SELECT count(*) FROM databasechangeloglock WHERE locked")).isZero();
        }

        int banners = 0;
        String password = null;
        for (JarProcess p : replicas) {
            String out = p.output();
            assertThat(out).as("no ERROR lines on port %d", p.port).doesNotContain(" ERROR ");
            assertThat(out).doesNotContain("relation already exists").doesNotContain("duplicate key");
            Matcher m = Pattern.compile("INITIAL ADMIN PASSWORD.*?password: (\\S+)", Pattern.DOTALL).matcher(out);
            if (m.find()) {
                banners++;
                password = m.group(1);
            }
        }
        assertThat(banners).as("exactly one replica announces the generated admin password").isEqualTo(1);

        // a token issued by one replica is accepted by every other one
        ObjectMapper json = new ObjectMapper();
        var login = replicas.get(0).post("/api/login", "{\"username\":\"admin\",\"password\":\"" + password + "\"}", null);
        assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
        String token = json.readTree(login.body()).get("token").asText();
        for (JarProcess p : replicas) {
            var me = p.get("/api/me", token);
            assertThat(me.statusCode()).isEqualTo(200);
            JsonNode body = json.readTree(me.body());
            assertThat(body.get("username").asText()).isEqualTo("admin");
        }
    }

    private static long count(Statement st, String sql) throws Exception {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Counts the changesets of the master changelog and its includes, as shipped. */
    static long changeSetCount() throws IOException {
        String master = resource("db/changeLog.xml");
        Matcher inc = Pattern.compile("<include\\s+file=\"([^\"]+)\"").matcher(master);
        long n = 0;
        while (inc.find()) {
            Matcher cs = Pattern.compile("<changeSet\\s").matcher(resource(inc.group(1)));
            while (cs.find()) {
                n++;
            }
        }
        return n;
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = ConcurrentStartIT.class.getClassLoader().getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
