package io.triggerdeploy.common;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.triggerdeploy.support.ApiTest;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

/**
 * The change and remove operations no other test called (the CI run lists them), each used as a client would and its
 * answer checked against the API document (support/ApiContract): replacing a server, changing and replacing a
 * notification channel and deleting it, reading and changing a team and its members, listing and deleting group mappings,
 * deleting a webhook, and the Slack links an admin sees. One of their kind (PATCH of a watched service) answered 500.
 */
@QuarkusTest
class ChangeAndRemoveOperationsTest extends ApiTest {

    @Test
    void aServerIsReplacedWhole() {
        String admin = adminToken();
        String alias = unique("put-");
        long id = given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", alias, "alias", alias, "host", "127.0.0.1", "port", 22, "user", "deploy", "path", "/srv/app"))
                .post("/api/servers").then().statusCode(201).extract().<Number>path("id").longValue();
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", "Replaced", "alias", alias, "host", "127.0.0.1", "port", 2222, "user", "deploy", "path", "/srv/other",
                        "command", "./release.sh"))
                .put("/api/servers/" + id).then().statusCode(200).body("port", equalTo(2222)).body("path", equalTo("/srv/other"))
                .body("command", equalTo("./release.sh")).body("name", equalTo("Replaced"));
    }

    @Test
    void aChannelIsChangedReplacedAndDeleted() {
        String admin = adminToken();
        long id = given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", unique("ch-"), "kind", "webhook", "events", List.of("deployment.failed"),
                        "settings", Map.of("url", "https://chat.example.test/hook"), "secret", "a-signing-secret-of-16-or-more", "active", false))
                .post("/api/notifications/channels").then().statusCode(201).extract().<Number>path("id").longValue();
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("events", List.of("deployment.failed", "deployment.succeeded")))
                .patch("/api/notifications/channels/" + id).then().statusCode(200).body("events", hasItem("deployment.succeeded"))
                .body("has_secret", equalTo(true));
        String renamed = unique("ch-");
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", renamed, "kind", "webhook", "events", List.of("service.down"),
                        "settings", Map.of("url", "https://chat.example.test/other"), "active", false))
                .put("/api/notifications/channels/" + id).then().statusCode(200).body("name", equalTo(renamed))
                .body("events", equalTo(List.of("service.down"))).body("has_secret", equalTo(true));
        given().auth().oauth2(admin).delete("/api/notifications/channels/" + id).then().statusCode(204);
        given().auth().oauth2(admin).get("/api/notifications/channels/" + id).then().statusCode(404);
    }

    @Test
    void aTeamIsReadChangedAndItsMembersComeAndGo() {
        String admin = adminToken();
        String team = unique("team-");
        String user = unique("member-");
        createUser(admin, user, "member-pass-1", "operator");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("name", team)).post("/api/teams").then().statusCode(201);
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("name", team, "description", "the shop's developers"))
                .put("/api/teams/" + team).then().statusCode(200).body("description", equalTo("the shop's developers"));
        given().auth().oauth2(admin).put("/api/teams/" + team + "/members/" + user).then().statusCode(200)
                .body("members.username", hasItem(user));
        given().auth().oauth2(admin).get("/api/teams/" + team).then().statusCode(200).body("members.username", equalTo(List.of(user)));
        given().auth().oauth2(admin).delete("/api/teams/" + team + "/members/" + user).then().statusCode(200).body("members", empty());

        long mapping = given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("provider", "any", "group", unique("g-"), "team", team))
                .post("/api/group-mappings").then().statusCode(201).extract().<Number>path("id").longValue();
        given().auth().oauth2(admin).get("/api/group-mappings").then().statusCode(200).body("id", hasItem((int) mapping));
        given().auth().oauth2(admin).delete("/api/group-mappings/" + mapping).then().statusCode(204);
        given().auth().oauth2(admin).get("/api/group-mappings").then().statusCode(200)
                .body("id", not(hasItem((int) mapping)));
    }

    @Test
    void aWebhookIsDeletedAndTheSlackLinksAreListed() {
        String admin = adminToken();
        String alias = unique("hooked-");
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", alias, "alias", alias, "host", "127.0.0.1", "port", 22, "user", "deploy", "path", "/srv/app"))
                .post("/api/servers").then().statusCode(201);
        String hook = given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("name", unique("h-"), "kind", "github", "server", alias))
                .post("/api/hooks").then().statusCode(201).extract().path("id");
        given().auth().oauth2(admin).delete("/api/hooks/" + hook).then().statusCode(204);
        given().auth().oauth2(admin).get("/api/hooks/" + hook).then().statusCode(404);
        given().auth().oauth2(admin).get("/api/admin/slack/links").then().statusCode(200);
        given().auth().oauth2(admin).get("/api/me/slack").then().statusCode(200).body("slack_user_ids", empty());
    }
}
