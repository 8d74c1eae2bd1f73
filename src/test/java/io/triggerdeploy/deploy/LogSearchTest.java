package io.triggerdeploy.deploy;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.triggerdeploy.support.ApiTest;
import io.triggerdeploy.support.Deploys;
import io.triggerdeploy.support.PostgresTestResource;
import io.triggerdeploy.support.TestDatabases;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

/** {@code GET /api/search/logs} over stored log lines: terms, phrases, prefixes, filters, context, pages, refusals. */
@QuarkusTest
@TestProfile(Deploys.Profile.class)
class LogSearchTest extends ApiTest {

    String viewer;
    String admin;
    String alias;
    long first;
    long second;

    @BeforeEach
    void seed() throws Exception {
        RoleTokens t = roleTokens();
        viewer = t.viewer();
        admin = t.admin();
        alias = unique("search");
        long serverId = given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("name", alias, "alias", alias,
                        "host", "127.0.0.1", "user", "deployer", "path", "/srv/" + alias))
                .post("/api/servers").then().statusCode(201).extract().<Number>path("id").longValue();
        first = deployment(serverId, "SUCCEEDED", "v1", List.of("starting " + alias, "Connecting to db:5432",
                "ERROR: Connection refused to db:5432 (" + alias + ")", "retrying in 5 s", "100% done " + alias));
        second = deployment(serverId, "FAILED", "v2", List.of("starting " + alias, "1000 done " + alias, "a_b " + alias,
                "axb " + alias, "token=*** for " + alias, "connection REFUSED again " + alias));
    }

    long deployment(long serverId, String status, String ref, List<String> lines) throws Exception {
        long id = queryLong("INSERT INTO deployments (server_id, server_alias, status, requested_by, source, ref, started_at, "
                + "finished_at) VALUES (" + serverId + ", '" + alias + "', '" + status + "', 'seed', 'api', '" + ref + "', now(), now()) RETURNING id");
        for (int i = 0; i < lines.size(); i++) {
            update("INSERT INTO deployment_logs (deployment_id, line_no, logged_at, stream, text) VALUES (" + id + ", " + (i + 1)
                    + ", now(), 'o', '" + lines.get(i).replace("'", "''") + "')");
        }
        return id;
    }

    JsonPath search(Map<String, Object> params) {
        return given().auth().oauth2(viewer).queryParams(params).queryParam("server", alias).get("/api/search/logs")
                .then().statusCode(200).extract().jsonPath();
    }

    List<String> texts(Map<String, Object> params) {
        return search(params).getList("items.text");
    }

    @Test
    void wordsPhrasesAndPrefixesMatchCaseInsensitively() {
        assertThat(texts(Map.of("q", "connection refused"))).containsExactly("connection REFUSED again " + alias,
                "ERROR: Connection refused to db:5432 (" + alias + ")");
        assertThat(texts(Map.of("q", "\"refused to db\""))).containsExactly("ERROR: Connection refused to db:5432 (" + alias + ")");
        assertThat(texts(Map.of("q", "\"refused connection\""))).isEmpty();
        // a prefix matches at the start of a word only; the same letters as a plain term match anywhere
        assertThat(texts(Map.of("q", "conn*"))).hasSize(3);
        assertThat(texts(Map.of("q", "onnect*"))).isEmpty();
        assertThat(texts(Map.of("q", "onnect"))).hasSize(3);
        // LIKE and regex characters are literal
        assertThat(texts(Map.of("q", "100%"))).containsExactly("100% done " + alias);
        assertThat(texts(Map.of("q", "a_b"))).containsExactly("a_b " + alias);
        assertThat(texts(Map.of("q", "d.:5432*"))).as("a dot in a prefix is a dot, not any character").isEmpty();
        assertThat(texts(Map.of("q", "db:5432*"))).hasSize(2);
        assertThat(texts(Map.of("q", "\"(" + alias + ")\""))).hasSize(1);
        // masked secrets are stored masked, and found only as ***
        assertThat(texts(Map.of("q", "token=***"))).containsExactly("token=*** for " + alias);
    }

    @Test
    void theWordIndexNeverDropsALineTheExactTestKeeps() throws Exception {
        long serverId = queryLong("SELECT server_id FROM deployments WHERE id = " + first);
        String k = "k".repeat(250);
        deployment(serverId, "SUCCEEDED", "v3", List.of("x deployment 4242421 " + alias, "redeployment 424242 " + alias,
                "key=" + k + " end " + alias, "caf\u00e9424242 " + alias, "na\u00efve_run " + alias, "DEPLOYMENT 424242 " + alias));
        // a phrase's last word may be the start of a longer word, its first word the end of one
        assertThat(texts(Map.of("q", "\"deployment 424242\""))).containsExactly("DEPLOYMENT 424242 " + alias,
                "redeployment 424242 " + alias, "x deployment 4242421 " + alias);
        assertThat(texts(Map.of("q", "\"deployment 424242 \""))).hasSize(2);
        // words longer than the index's cut, next to non-ASCII letters, after an underscore
        assertThat(texts(Map.of("q", "\"=" + "k".repeat(100) + "\""))).hasSize(1);
        assertThat(texts(Map.of("q", "\"=" + k + " end\""))).hasSize(1);
        assertThat(texts(Map.of("q", "\u00e9424242"))).hasSize(1);
        assertThat(texts(Map.of("q", "\"_run \""))).hasSize(1);
        assertThat(texts(Map.of("q", "424242*"))).hasSize(3);
    }

    @Test
    void theWordConditionHoldsOnlyWhatACertainMatchImplies() {
        assertThat(LogSearch.words("deployment 424242", false)).isEqualTo("424242:*");
        assertThat(LogSearch.words("refused to db:5432", false)).isEqualTo("to & db & 5432:*");
        assertThat(LogSearch.words("refused", false)).isNull();
        assertThat(LogSearch.words("Refus", true)).isEqualTo("refus:*");
        assertThat(LogSearch.words("db-4", true)).as("a one-letter prefix would read too many words").isEqualTo("db");
        assertThat(LogSearch.words("\u00e9424242 x", false)).isNull();
        assertThat(LogSearch.words(" " + "a".repeat(101), false)).isNull();
        assertThat(LogSearch.words("token=***", false)).isNull();
        // words most lines hold are left to the trigram index; one rare word is enough
        Map<String, Double> common = Map.of("deployment", 0.9, "line", 0.6, "lines", 0.1, "of", 0.9, "3", 0.1);
        assertThat(LogSearch.narrow(LogSearch.terms("\"line 3 of deployment\" \"deployment 424242\" lin* \"of xyz\""), common))
                .extracting(LogSearchRepository.Term::words)
                .containsExactly(null, "424242:*", null, "xyz:*");
    }

    @Test
    void filtersContextAndKeysetPages() {
        JsonPath hit = search(Map.of("q", "\"Connection refused to\"", "context", 2));
        assertThat(hit.getLong("items[0].deployment_id")).isEqualTo(first);
        assertThat(hit.getInt("items[0].line")).isEqualTo(3);
        assertThat(hit.getList("items[0].before", String.class)).containsExactly("starting " + alias, "Connecting to db:5432");
        assertThat(hit.getList("items[0].after", String.class)).containsExactly("retrying in 5 s", "100% done " + alias);
        assertThat(hit.getString("items[0].url")).isEqualTo("/deployments/" + first + "#L3");
        assertThat(hit.getString("items[0].ref")).isEqualTo("v1");

        assertThat(texts(Map.of("q", "refused", "status", "failed"))).containsExactly("connection REFUSED again " + alias);
        assertThat(texts(Map.of("q", "refused", "ref", "v1"))).hasSize(1);
        assertThat(texts(Map.of("q", "refused", "to", "2000-01-01T00:00:00Z"))).isEmpty();

        // newest deployment first, last line first; pages never repeat or skip a line
        JsonPath p1 = search(Map.of("q", alias, "limit", 4));
        assertThat(p1.getList("items.deployment_id", Long.class)).containsOnly(second);
        String cursor = p1.getString("next_cursor");
        assertThat(cursor).isEqualTo(second + "-3");
        JsonPath p2 = search(Map.of("q", alias, "limit", 4, "cursor", cursor));
        List<Integer> lines = p2.getList("items.line", Integer.class);
        assertThat(p2.getList("items.deployment_id", Long.class).get(0)).isEqualTo(second);
        assertThat(lines.get(0)).isEqualTo(2);
        JsonPath p3 = search(Map.of("q", alias, "limit", 4, "cursor", p2.getString("next_cursor")));
        assertThat(p1.getList("items").size() + p2.getList("items").size() + p3.getList("items").size()).isEqualTo(9);
        assertThat(p2.getList("items.line", Integer.class)).containsExactly(2, 1, 5, 3);
        assertThat(p3.getList("items.line", Integer.class)).containsExactly(1);
        assertThat(p3.getString("next_cursor")).isNull();
    }

    @Test
    void linesOfDeletedDeploymentsAreGoneAndBadQueriesAreRefused() throws Exception {
        update("DELETE FROM deployments WHERE id = " + second);
        assertThat(texts(Map.of("q", "a_b"))).isEmpty();
        for (Map<String, Object> bad : List.of(Map.<String, Object>of(), Map.<String, Object>of("q", "ab"),
                Map.<String, Object>of("q", "one two three four five six"), Map.<String, Object>of("q", "refused", "cursor", "x"),
                Map.<String, Object>of("q", "refused", "limit", 0), Map.<String, Object>of("q", "refused", "status", "nope"),
                Map.<String, Object>of("q", "refused", "context", 9), Map.<String, Object>of("q", "refused", "from", "yesterday"))) {
            given().auth().oauth2(viewer).queryParams(bad).get("/api/search/logs").then().statusCode(400)
                    .contentType(containsString("application/problem+json"));
        }
        given().get("/api/search/logs?q=refused").then().statusCode(401);
        given().auth().oauth2(viewer).get("/api/search/logs?q=refused&server=no-such-server-" + alias).then().statusCode(404);
    }

    @Test
    void searchesAreCappedPerUserAndInAllAndOneThatRunsTooLongIsStopped() throws Exception {
        String[] users = new String[3];
        for (int i = 0; i < 3; i++) {
            String name = unique("searcher");
            createUser(admin, name, "searcher-pass-1", "viewer");
            users[i] = login(name, "searcher-pass-1");
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        // a lock on the log table makes every search wait in the database, as a slow one over millions of lines would
        try (java.sql.Connection lock = TestDatabases.connect(PostgresTestResource.database())) {
            lock.setAutoCommit(false);
            lock.createStatement().execute("LOCK TABLE deployment_logs IN ACCESS EXCLUSIVE MODE");
            List<java.util.concurrent.Future<io.restassured.response.Response>> running = new java.util.ArrayList<>();
            for (String token : List.of(users[0], users[0], users[1], users[1])) {
                running.add(pool.submit(() -> given().auth().oauth2(token).queryParam("q", "refused").get("/api/search/logs")));
            }
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(4)).pollInterval(java.time.Duration.ofMillis(20))
                    .until(() -> queryLong("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                            + "AND query LIKE 'SELECT l.deployment_id%'") == 4);
            // a third of one user's: refused at once, without a connection
            given().auth().oauth2(users[0]).queryParam("q", "refused").get("/api/search/logs").then().statusCode(429)
                    .contentType("application/problem+json").header("Retry-After", org.hamcrest.Matchers.notNullValue())
                    .body("detail", org.hamcrest.Matchers.containsString("one person"));
            // anyone's, once the replica runs its four: refused too, while the pool stays free for everything else
            given().auth().oauth2(users[2]).queryParam("q", "refused").get("/api/search/logs").then().statusCode(429)
                    .body("detail", org.hamcrest.Matchers.containsString("replica"));
            given().auth().oauth2(users[2]).get("/api/deployments?limit=1").then().statusCode(200);
            // the waiting ones are stopped by the statement timeout: 422 saying how to narrow them
            for (var f : running) {
                io.restassured.response.Response r = f.get(30, java.util.concurrent.TimeUnit.SECONDS);
                r.then().statusCode(422).contentType("application/problem+json").body("detail", org.hamcrest.Matchers.containsString("narrow"));
            }
            lock.rollback();
        } finally {
            pool.shutdownNow();
        }
        // the slots came back
        given().auth().oauth2(users[0]).queryParam("q", "refused").queryParam("server", alias).get("/api/search/logs").then()
                .statusCode(200).body("items.size()", org.hamcrest.Matchers.greaterThan(0));
    }
}
