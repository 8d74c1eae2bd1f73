package io.triggerdeploy.common;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.triggerdeploy.support.ApiTest;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** Errors a client can act on: the right status, the field or parameter named, the headers HTTP requires. */
@QuarkusTest
class ApiErrorsTest extends ApiTest {

    @Test
    void aNulCharacterIsA400WhicheverWayTheValueIsStored() throws Exception {
        String admin = adminToken();
        // through Hibernate Reactive (API tokens, servers) as through the reactive client (teams, elsewhere)
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("name", "ci\u0000token", "role", "viewer"))
                .post("/api/tokens").then().statusCode(400).contentType(containsString("application/problem+json"))
                .body("detail", containsString("U+0000"));
        String alias = unique("nul");
        Number id = given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", alias, "alias", alias, "host", "127.0.0.1", "user", "deploy", "path", "/srv/app",
                        "description", "before"))
                .post("/api/servers").then().statusCode(201).extract().path("id");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("description", "nul\u0000here"))
                .patch("/api/servers/" + id).then().statusCode(400).contentType(containsString("application/problem+json"));
        given().auth().oauth2(admin).get("/api/servers/" + id).then().statusCode(200).body("description", equalTo("before"));
        String imported = unique("nul-import");
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(List.of(Map.of("name", imported, "alias", imported, "ip", "127.0.0.1", "user", "deploy", "path", "/srv",
                        "description", "a\u0000b")))
                .post("/api/servers/import").then().statusCode(400);
        assertThat(queryLong("SELECT count(*) FROM servers WHERE alias = '" + imported + "'")).isZero();
        assertThat(queryLong("SELECT count(*) FROM api_tokens WHERE name LIKE 'ci%token'")).isZero();
    }

    @Test
    void methodNotAllowedSaysWhichMethodsAre() {
        String admin = adminToken();
        String allow = given().auth().oauth2(admin).delete("/api/audit").then().statusCode(405)
                .contentType(containsString("application/problem+json")).extract().header("Allow");
        assertThat(allow).isNotNull().contains("GET").doesNotContain("DELETE");
        allow = given().auth().oauth2(admin).contentType(ContentType.JSON).body("{}").put("/api/tokens").then().statusCode(405)
                .extract().header("Allow");
        assertThat(allow).contains("GET").contains("POST");
    }

    @Test
    void booleanQueryParametersAreTrueOrFalseAndNothingElse() {
        String admin = adminToken();
        given().auth().oauth2(admin).get("/api/tokens?all=banana").then().statusCode(400)
                .contentType(containsString("application/problem+json")).body("violations[0].field", equalTo("all"))
                .body("detail", containsString("true or false"));
        given().auth().oauth2(admin).get("/api/tokens?all=1").then().statusCode(400);
        given().auth().oauth2(admin).get("/api/tokens?all=TRUE").then().statusCode(200);
        given().auth().oauth2(admin).get("/api/tokens?all=false").then().statusCode(200);
        given().auth().oauth2(admin).get("/api/tokens").then().statusCode(200);
    }

    @Test
    void aRequestThisInstallationIsNotSetUpForIsAConflictNotABadRequest() {
        // the default test profile has no secrets key: two-factor enrolment cannot seal a secret here
        RoleTokens t = roleTokens();
        given().auth().oauth2(t.operator()).post("/api/me/totp").then().statusCode(409)
                .contentType(containsString("application/problem+json")).body("violations[0].field", equalTo("totp"))
                .body("detail", containsString("TRIGGER_SECRETS_KEY_FILE"));
    }

    @Test
    void theLiveLogStreamAdvertisesOnlyWhatItAnswers() {
        String admin = adminToken();
        given().auth().oauth2(admin).options("/api/deployments/1/events").then().statusCode(204).header("Allow", "GET, OPTIONS");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body("{}").post("/api/deployments/1/events").then()
                .statusCode(405).header("Allow", "GET, OPTIONS").contentType(containsString("application/problem+json"));
    }

    @Test
    void lengthsAreCountedInCharactersAsTheDocumentSays() throws Exception {
        String admin = adminToken();
        String alias = unique("emoji");
        String sixty = "\uD83D\uDE80".repeat(60); // 60 characters, 120 UTF-16 units
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", sixty, "alias", alias, "host", "127.0.0.1", "user", "deploy", "path", "/srv/app"))
                .post("/api/servers").then().statusCode(201).body("name", equalTo(sixty));
        String tooMany = "\uD83D\uDE80".repeat(101);
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", tooMany, "alias", alias + "-2", "host", "127.0.0.1", "user", "deploy", "path", "/srv/app"))
                .post("/api/servers").then().statusCode(400).body("violations[0].field", equalTo("name"));
        // the document's limit for that field is the one enforced
        int maxLength = given().get("/q/openapi?format=json").then().extract().jsonPath()
                .getInt("components.schemas.ServerRequest.properties.name.maxLength");
        assertThat(maxLength).isEqualTo(100);
    }
}
