package io.triggerdeploy.server;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.triggerdeploy.support.ApiTest;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;

/** What rollouts will target: labels on servers and named, ordered groups of servers. */
@QuarkusTest
class ServerGroupsTest extends ApiTest {

    private static long server(String admin, String alias, Map<String, String> labels) {
        Map<String, Object> body = new HashMap<>(Map.of("name", alias, "alias", alias, "host", "127.0.0.1", "user", "deploy",
                "path", "/srv/app"));
        if (labels != null) {
            body.put("labels", labels);
        }
        return given().auth().oauth2(admin).contentType(ContentType.JSON).body(body).post("/api/servers")
                .then().statusCode(201).extract().<Number>path("id").longValue();
    }

    @Test
    void labelsAreSetReadReplacedAndClearedAndBadOnesChangeNothing() {
        String admin = adminToken();
        String alias = unique("lab");
        long id = server(admin, alias, Map.of("role", "web", "region", "eu-west-1"));
        given().auth().oauth2(admin).get("/api/servers/" + id).then().statusCode(200)
                .body("labels", equalTo(Map.of("region", "eu-west-1", "role", "web")));
        // absent leaves them, a map replaces them, {} clears them
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("description", "x"))
                .patch("/api/servers/" + id).then().statusCode(200).body("labels.role", equalTo("web"));
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("labels", Map.of("role", "worker")))
                .patch("/api/servers/" + id).then().statusCode(200).body("labels", equalTo(Map.of("role", "worker")));

        Map<String, Object> tooMany = new HashMap<>();
        for (int i = 0; i < 21; i++) {
            tooMany.put("k" + i, "v");
        }
        List<Map<String, Object>> bad = List.of(Map.of("Role", "web"), Map.of("role", "web app"), Map.of("role", ""),
                Map.of("1role", "web"), Map.of("role", "$(id)"), tooMany);
        for (Map<String, Object> labels : bad) {
            given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("labels", labels))
                    .patch("/api/servers/" + id).then().statusCode(400).contentType("application/problem+json")
                    .body("violations[0].field", containsString("labels"));
        }
        given().auth().oauth2(admin).get("/api/servers/" + id).then().body("labels", equalTo(Map.of("role", "worker")));
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("labels", Map.of()))
                .patch("/api/servers/" + id).then().statusCode(200).body("labels", equalTo(Map.of()));
    }

    @Test
    void theServerListTakesALabelSelector() {
        String admin = adminToken();
        String zone = unique("z");
        String web = unique("sw");
        String worker = unique("sk");
        server(admin, web, Map.of("role", "web", "zone", zone));
        server(admin, worker, Map.of("role", "worker", "zone", zone));
        assertThat(given().auth().oauth2(admin).queryParam("selector", "zone=" + zone).get("/api/servers").then().statusCode(200)
                .extract().jsonPath().getList("alias", String.class)).containsExactlyInAnyOrder(web, worker);
        assertThat(given().auth().oauth2(admin).queryParam("selector", "zone=" + zone + ",role in (web, db)").get("/api/servers")
                .then().statusCode(200).extract().jsonPath().getList("alias", String.class)).containsExactly(web);
        given().auth().oauth2(admin).queryParam("selector", "zone=" + zone + ",role=").get("/api/servers").then().statusCode(400)
                .body("violations[0].field", equalTo("selector"));
    }

    @Test
    void aGroupKeepsItsServersInOrderAndEveryChangeIsAudited() {
        String admin = adminToken();
        String a = unique("ga");
        String b = unique("gb");
        String c = unique("gc");
        long ida = server(admin, a, null);
        long idb = server(admin, b, null);
        long idc = server(admin, c, null);
        String name = unique("web");
        // by alias or id, in the order given
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", name, "description", "the web tier", "servers", List.of(c, String.valueOf(ida), b.toUpperCase())))
                .post("/api/groups").then().statusCode(201).header("Location", endsWith("/api/groups/" + name))
                .body("servers", equalTo(List.of(c, a, b))).body("server_ids", equalTo(List.of((int) idc, (int) ida, (int) idb)));
        given().auth().oauth2(admin).get("/api/groups/" + name.toUpperCase()).then().statusCode(200)
                .body("name", equalTo(name)).body("description", equalTo("the web tier"));

        // a new name and fewer servers
        String renamed = unique("front");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("name", renamed, "servers", List.of(b, a)))
                .put("/api/groups/" + name).then().statusCode(200).body("servers", equalTo(List.of(b, a)));
        given().auth().oauth2(admin).get("/api/groups/" + name).then().statusCode(404);
        assertThat(given().auth().oauth2(admin).get("/api/groups").then().statusCode(200).extract().jsonPath()
                .getList("name", String.class)).contains(renamed);

        JsonPath audit = given().auth().oauth2(admin).get("/api/audit?action=group&limit=100").then().statusCode(200).extract().jsonPath();
        assertThat(audit.getList("items.action", String.class)).contains("group.created", "group.updated");
        assertThat(audit.getList("items.detail", String.class)).anyMatch(d -> d.contains("renamed from " + name));

        // deleting a server takes it out of its groups; deleting the group leaves the servers
        given().auth().oauth2(admin).delete("/api/servers/" + idb).then().statusCode(204);
        given().auth().oauth2(admin).get("/api/groups/" + renamed).then().body("servers", equalTo(List.of(a)));
        given().auth().oauth2(admin).delete("/api/groups/" + renamed).then().statusCode(204);
        given().auth().oauth2(admin).get("/api/groups/" + renamed).then().statusCode(404);
        given().auth().oauth2(admin).get("/api/servers/" + ida).then().statusCode(200);
    }

    @Test
    void badGroupsAreRefusedNamingTheFieldAndNothingIsWritten() throws Exception {
        String admin = adminToken();
        String a = unique("gx");
        server(admin, a, null);
        String name = unique("grp");
        List<Map<String, Object>> bad = List.of(
                Map.of("name", name, "servers", List.of(a, "no-such-server")),
                Map.of("name", name, "servers", List.of(a, a.toUpperCase())),
                Map.of("name", "bad name", "servers", List.of(a)),
                Map.of("name", name, "servers", List.of("")),
                Map.of("name", name));
        List<String> fields = List.of("servers", "servers", "name", "servers", "servers");
        for (int i = 0; i < bad.size(); i++) {
            given().auth().oauth2(admin).contentType(ContentType.JSON).body(bad.get(i)).post("/api/groups")
                    .then().statusCode(400).contentType("application/problem+json")
                    .body("violations[0].field", equalTo(fields.get(i)));
        }
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("name", "x", "servers", List.of("no-such-server")))
                .post("/api/groups").then().statusCode(400).body("violations[0].message", containsString("'no-such-server'"));
        assertThat(queryLong("SELECT count(*) FROM server_groups WHERE name = '" + name + "'")).isZero();

        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("name", name, "servers", List.of(a)))
                .post("/api/groups").then().statusCode(201);
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("name", name.toUpperCase(), "servers", List.of()))
                .post("/api/groups").then().statusCode(409);
    }

    @Test
    void viewersReadGroupsButSeeOnlyTheirServersAndOnlyAdminsChangeThem() {
        RoleTokens tokens = roleTokens();
        String admin = tokens.admin();
        String open = unique("go");
        String restricted = unique("gr");
        server(admin, open, null);
        long hidden = server(admin, restricted, null);
        // a grant on one server to someone else restricts that server: our viewer no longer sees it
        String someone = unique("someone");
        createUser(admin, someone, "someone-pass-1", "operator");
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("server", String.valueOf(hidden), "user", someone, "permission", "deploy")).post("/api/grants").then().statusCode(201);
        String name = unique("mixed");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("name", name, "servers", List.of(open, restricted)))
                .post("/api/groups").then().statusCode(201);

        JsonPath seen = given().auth().oauth2(tokens.viewer()).get("/api/groups/" + name).then().statusCode(200).extract().jsonPath();
        assertThat(seen.getList("servers", String.class)).containsExactly(open);
        assertThat(seen.getInt("hidden_servers")).isEqualTo(1);
        assertThat(given().auth().oauth2(tokens.viewer()).get("/api/groups").then().statusCode(200).extract().asString())
                .contains(open).doesNotContain(restricted);
        given().auth().oauth2(admin).get("/api/groups/" + name).then().body("servers", equalTo(List.of(open, restricted)))
                .body("hidden_servers", equalTo(null));

        given().auth().oauth2(tokens.operator()).contentType(ContentType.JSON).body(Map.of("name", unique("op"), "servers", List.of()))
                .post("/api/groups").then().statusCode(403);
        given().auth().oauth2(tokens.viewer()).delete("/api/groups/" + name).then().statusCode(403);
        given().get("/api/groups").then().statusCode(401);
    }
}
