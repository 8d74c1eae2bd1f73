package io.triggerdeploy.common;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.triggerdeploy.support.ApiTest;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/** The OpenAPI document covers every endpoint with its security and problem responses; requests carry ids. */
@QuarkusTest
class OpenApiTest extends ApiTest {

    @Test
    void everyOperationDocumentsProblemResponsesAndProtectedOnesTheirSecurity() {
        JsonPath spec = given().accept("application/json").get("/q/openapi?format=json").then().statusCode(200).extract().jsonPath();
        Map<String, Map<String, Map<String, Object>>> paths = spec.getMap("paths");
        assertThat(paths).containsKeys("/api/login", "/api/users", "/api/tokens", "/api/servers", "/api/deployments",
                "/api/deployments/{id}/events", "/trigger");
        int operations = 0;
        for (var path : paths.entrySet()) {
            for (var op : path.getValue().entrySet()) {
                if (!List.of("get", "post", "put", "patch", "delete").contains(op.getKey())) {
                    continue;
                }
                operations++;
                @SuppressWarnings("unchecked")
                Map<String, Object> responses = (Map<String, Object>) op.getValue().get("responses");
                assertThat(responses).as(op.getKey() + " " + path.getKey()).containsKeys("400", "404");
                assertThat(responses.get("400").toString()).contains("application/problem+json");
                // the login, the old token contract and signed webhooks authenticate themselves
                assertThat(op.getValue()).as("security of " + op.getKey() + " " + path.getKey()).containsKey("security");
            }
        }
        assertThat(operations).isGreaterThan(25);
        // the roles an endpoint needs are its security scopes
        assertThat(spec.getList("paths.'/api/users'.get.security.bearer.flatten()")).containsExactly("admin");
        assertThat(spec.getList("paths.'/api/deployments'.post.security.bearer.flatten()")).containsExactly("operator");
        assertThat(spec.getList("paths.'/api/deployments'.get.security.bearer.flatten()")).containsExactly("viewer");
        assertThat(spec.getMap("components.schemas")).containsKeys("Problem", "LoginRequest", "UserView", "DeploymentView");
        // the problem's extension members are documented as members, not as the map that carries them
        assertThat(spec.getMap("components.schemas.Problem.properties")).containsKeys("type", "title", "status", "detail",
                "held", "totp_required", "totp_enrolment").doesNotContainKeys("extensions", "members");
    }

    @Test
    void theSchemasNameTheFieldsTheApiActuallySends() {
        JsonPath spec = given().accept("application/json").get("/q/openapi?format=json").then().statusCode(200).extract().jsonPath();
        String admin = adminToken();
        Map<String, Object> login = given().contentType("application/json")
                .body(Map.of("username", ADMIN, "password", ADMIN_PASSWORD)).post("/api/login").then().statusCode(200)
                .extract().jsonPath().getMap("");
        Map<String, Object> me = given().auth().oauth2(admin).get("/api/me").then().statusCode(200).extract().jsonPath().getMap("");
        String alias = unique("oas");
        Map<String, Object> server = given().auth().oauth2(admin).contentType("application/json")
                .body(Map.of("name", alias, "alias", alias, "host", "127.0.0.1", "user", "deploy", "path", "/srv/app"))
                .post("/api/servers").then().statusCode(201).extract().jsonPath().getMap("");
        Map<String, Map<String, Object>> real = Map.of("LoginResponse", login, "MeView", me, "ServerView", server);
        real.forEach((schema, body) -> {
            Map<String, Object> properties = spec.getMap("components.schemas." + schema + ".properties");
            assertThat(properties).as(schema).isNotNull();
            // every key on the wire is a property of the schema, spelled the same (snake_case)
            assertThat(properties.keySet()).as(schema).containsAll(body.keySet());
            assertThat(properties.keySet()).as(schema).allMatch(k -> k.equals(k.toLowerCase(java.util.Locale.ROOT)));
        });
        assertThat(spec.getMap("components.schemas.DeploymentView.properties")).containsKeys("queued_at", "duration_ms", "exit_code");
        // request bodies are described as the API reads them, with the bounds validation enforces
        assertThat(spec.getMap("components.schemas.ServerRequest.properties")).containsKeys("timeout_seconds", "host_key", "private_key_ref");
        assertThat(spec.getInt("components.schemas.ServerRequest.properties.alias.maxLength")).isEqualTo(64);
        assertThat(spec.getInt("components.schemas.LoginRequest.properties.password.maxLength")).isEqualTo(1024);
    }

    @Test
    void linterRulesHold() {
        JsonPath spec = given().accept("application/json").get("/q/openapi?format=json").then().statusCode(200).extract().jsonPath();
        assertThat(spec.getList("servers")).isNotEmpty();
        assertThat(spec.getString("info.license.name")).isNotBlank();
        Map<String, Map<String, Map<String, Object>>> paths = spec.getMap("paths");
        java.util.Set<String> ids = new java.util.HashSet<>();
        java.util.Set<String> templates = new java.util.HashSet<>();
        for (var path : paths.entrySet()) {
            // two templates that differ only in a parameter's name are the same path
            assertThat(templates.add(path.getKey().replaceAll("\\{[^}]+}", "{}"))).as("duplicate path " + path.getKey()).isTrue();
            for (var op : path.getValue().entrySet()) {
                if (!List.of("get", "post", "put", "patch", "delete").contains(op.getKey())) {
                    continue;
                }
                Object id = op.getValue().get("operationId");
                assertThat(id).as("operationId of " + op.getKey() + " " + path.getKey()).isNotNull();
                assertThat(ids.add(id.toString())).as("unique operationId " + id).isTrue();
                // an API name a generated client can use as its method (createServer), not a Java class's (ServerResource_create)
                assertThat(id.toString()).as("operationId of " + op.getKey() + " " + path.getKey()).matches("[a-z][A-Za-z]{2,40}");
                assertThat(op.getValue()).as("security of " + op.getKey() + " " + path.getKey()).containsKey("security");
            }
        }
        // operations that authenticate themselves say so with an empty security list
        for (String open : List.of("/api/login", "/api/auth/login", "/auth/login", "/hooks/{id}")) {
            assertThat(spec.getList("paths.'" + open + "'.post.security")).as(open).isEmpty();
        }
        assertThat(spec.getList("paths.'/trigger'.get.security")).isEmpty();
        assertThat(spec.getMap("paths.'/api/login'.post.responses")).containsKey("429");
        assertThat(spec.getString("paths.'/api/servers'.post.operationId")).isEqualTo("createServer");
        assertThat(spec.getString("paths.'/api/servers'.get.operationId")).isEqualTo("listServers");
        assertThat(spec.getString("paths.'/api/deployments'.post.operationId")).isEqualTo("triggerDeployment");
        assertThat(spec.getString("paths.'/api/deployments/{id}/events'.get.operationId")).isEqualTo("streamDeploymentEvents");
    }

    @Test
    void everyResponseCarriesARequestId() {
        String generated = given().get("/q/health/live").then().extract().header("X-Request-Id");
        assertThat(generated).isNotBlank();
        given().header("X-Request-Id", "abc-123").get("/api/me").then().statusCode(401).header("X-Request-Id", "abc-123");
        String replaced = given().header("X-Request-Id", "bad id\";drop").get("/api/me").then().extract().header("X-Request-Id");
        assertThat(replaced).isNotEqualTo("bad id\";drop").matches("[0-9a-f-]{36}");
        given().get("/q/swagger-ui/").then().statusCode(200);
    }

    @Test
    void successStatusesAreTheOnesTheServiceAnswers() {
        JsonPath spec = given().accept("application/json").get("/q/openapi?format=json").then().statusCode(200).extract().jsonPath();
        // a release version: client generators refuse a snapshot
        assertThat(spec.getString("info.version")).matches("\\d+\\.\\d+\\.\\d+");
        // creates answer 201 with the new resource, triggers 202, deletes and other bodiless changes 204
        assertThat(spec.getMap("paths.'/api/servers'.post.responses")).containsKey("201").doesNotContainKey("200");
        assertThat(spec.getString("paths.'/api/servers'.post.responses.'201'.content.'application/json'.schema.$ref"))
                .endsWith("/ServerView");
        assertThat(spec.getMap("paths.'/api/deployments'.post.responses")).containsKey("202").doesNotContainKey("200");
        assertThat(spec.getMap("paths.'/api/deployments/{id}/rerun'.post.responses")).containsKey("202").doesNotContainKey("200");
        assertThat(spec.getMap("paths.'/api/servers/{id}'.delete.responses")).containsKey("204").doesNotContainKey("200");
        assertThat(spec.getMap("paths.'/api/me/password'.put.responses")).containsKey("204").doesNotContainKey("200");
        assertThat(spec.getMap("paths.'/api/tokens'.post.responses")).containsKey("201").doesNotContainKey("200");
    }

    @Test
    void aViewLeavesOutWhatItHasNotAndTheDocumentRequiresNone() {
        // a generated client crashed on "reachability_checked_at": null where the document says string: an absent value
        // is now left out (never null), and the document requires no field a view may leave out
        JsonPath spec = given().accept("application/json").get("/q/openapi?format=json").then().statusCode(200).extract().jsonPath();
        String admin = adminToken();
        String alias = unique("fresh");
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", alias, "alias", alias, "host", "127.0.0.1", "user", "deploy", "path", "/srv/app"))
                .post("/api/servers").then().statusCode(201);
        Map<String, Object> server = given().auth().oauth2(admin).get("/api/servers/" + alias).then().statusCode(200)
                .extract().jsonPath().getMap("");
        assertThat(server).doesNotContainKey("reachability_checked_at").doesNotContainKey("jump_host")
                .doesNotContainValue(null);
        Map<String, Object> me = given().auth().oauth2(login(ADMIN, ADMIN_PASSWORD)).get("/api/users").then().statusCode(200)
                .extract().jsonPath().getMap("[0]");
        assertThat(me).doesNotContainValue(null);
        for (String view : List.of("ServerView", "UserView", "MeView", "TeamView", "GroupMapping", "ChannelView")) {
            List<String> required = spec.getList("components.schemas." + view + ".required");
            assertThat(required == null ? List.of() : required).as(view + " requires no field").isEmpty();
        }
    }

    @Test
    void constraintsAreWrittenAsTheyAreEnforced() {
        JsonPath spec = given().accept("application/json").get("/q/openapi?format=json").then().statusCode(200).extract().jsonPath();
        // a choice of words is an enum a generator turns into a type
        assertThat(spec.getList("components.schemas.EnvironmentRequest.properties.queue_policy.enum"))
                .containsExactly("queue", "reject", "replace");
        assertThat(spec.getString("components.schemas.EnvironmentRequest.properties.queue_policy.pattern")).isNull();
        assertThat(spec.getList("components.schemas.CreateHookRequest.properties.algorithm.enum"))
                .containsExactly("sha1", "sha256", "sha512");
        assertThat(spec.getList("components.schemas.GrantRequest.properties.permission.enum")).contains("deploy", "manage");
        // every other pattern matches the whole value, as the service checks it
        String alias = spec.getString("components.schemas.ServerRequest.properties.alias.pattern");
        assertThat(alias).startsWith("^").endsWith("$");
        // what the service requires of a query and a rejection, the document requires too
        Map<String, Object> q = spec.getMap("paths.'/api/search/logs'.get.parameters.find { it.name == 'q' }");
        assertThat(q.get("required")).isEqualTo(true);
        assertThat(spec.getInt("paths.'/api/search/logs'.get.parameters.find { it.name == 'q' }.schema.minLength")).isEqualTo(3);
        assertThat(spec.getInt("paths.'/api/search/logs'.get.parameters.find { it.name == 'limit' }.schema.maximum")).isEqualTo(100);
        assertThat(spec.getList("components.schemas.RejectRequest.required")).containsExactly("comment");
        java.util.regex.Pattern p = java.util.regex.Pattern.compile(alias);
        assertThat(p.matcher("web-1").find()).isTrue();
        assertThat(p.matcher("web 1; rm -rf /").find()).isFalse();
    }

    @Test
    void schemaNamesReadAsNamesWithoutNumbers() {
        JsonPath spec = given().accept("application/json").get("/q/openapi?format=json").then().statusCode(200).extract().jsonPath();
        // two records of one simple name got "Decision1", "Skipped2": each has a name of its own
        assertThat(spec.getMap("components.schemas").keySet()).noneMatch(name -> name.toString().matches(".*\\d$"))
                .contains("ApprovalDecision", "DecisionRequest", "UserImportResult", "ServiceImportResult", "ServerImportSkipped");
    }

    @Test
    void everyJsonAnswerHasItsShape() {
        JsonPath spec = given().accept("application/json").get("/q/openapi?format=json").then().statusCode(200).extract().jsonPath();
        assertThat(spec.getString("paths.'/auth/status'.get.responses.'200'.content.'application/json'.schema.$ref")).endsWith("/AuthStatus");
        assertThat(spec.getString("paths.'/auth/logout'.post.responses.'200'.content.'application/json'.schema.$ref"))
                .endsWith("/LoggedOut");
        assertThat(spec.getMap("paths.'/api/logout'.post.responses")).containsKey("303");
        // a webhook delivery is the sender's JSON, and its 202 the queued deployment
        assertThat(spec.getMap("paths.'/hooks/{id}'.post.requestBody.content")).containsOnlyKeys("application/json");
        assertThat(spec.getString("paths.'/hooks/{id}'.post.responses.'202'.content.'application/json'.schema.$ref"))
                .endsWith("/DeploymentView");
    }

    @Test
    void operationsAreGroupedByWhatTheyActOn() {
        JsonPath spec = given().accept("application/json").get("/q/openapi?format=json").then().statusCode(200).extract().jsonPath();
        assertThat(spec.getList("paths.'/api/servers'.post.tags")).containsExactly("servers");
        assertThat(spec.getList("paths.'/api/deployments/{id}/cancel'.post.tags")).containsExactly("deployments");
        assertThat(spec.getList("paths.'/api/me/totp'.post.tags")).containsExactly("me");
        assertThat(spec.getList("paths.'/trigger'.post.tags")).containsExactly("legacy");
        assertThat(spec.getList("paths.'/hooks/{id}'.post.tags")).containsExactly("hooks");
        assertThat(spec.getList("tags.name", String.class)).contains("servers", "deployments", "legacy")
                .noneMatch(t -> t.contains("Resource"));
    }

    @Test
    void createsSayWhatTheyRequireAndFieldsSayTheirFormats() {
        JsonPath spec = given().accept("application/json").get("/q/openapi?format=json").then().statusCode(200).extract().jsonPath();
        // a create requires what the service requires; an update of the same resource takes any subset
        assertThat(spec.getString("paths.'/api/servers'.post.requestBody.content.'application/json'.schema.$ref"))
                .isEqualTo("#/components/schemas/CreateServerRequest");
        assertThat(spec.getList("components.schemas.CreateServerRequest.required"))
                .containsExactlyInAnyOrder("name", "alias", "host", "user", "path");
        assertThat(spec.getString("paths.'/api/servers/{id}'.patch.requestBody.content.'application/json'.schema.$ref"))
                .isEqualTo("#/components/schemas/ServerRequest");
        assertThat(spec.getList("components.schemas.ServerRequest.required")).isNull();
        for (String create : List.of("/api/services", "/api/notifications/channels", "/api/environments")) {
            String ref = spec.getString("paths.'" + create + "'.post.requestBody.content.'application/json'.schema.$ref");
            assertThat(ref).as(create).startsWith("#/components/schemas/Create");
            assertThat(spec.getList("components.schemas." + ref.substring(ref.lastIndexOf('/') + 1) + ".required")).as(create).isNotEmpty();
        }
        // a schedule needs one of two targets and one of two times: no single field is required, the schema says which pairs
        assertThat(spec.getString("paths.'/api/schedules'.post.requestBody.content.'application/json'.schema.$ref"))
                .isEqualTo("#/components/schemas/CreateScheduleRequest");
        assertThat(spec.getString("components.schemas.CreateScheduleRequest.description")).contains("either server")
                .contains("or rollout").contains("either cron").contains("or run_at");
        // @NotBlank is "has a non-blank character", not "is one character"
        assertThat(spec.getString("components.schemas.TriggerRequest.properties.server.pattern")).isEqualTo("\\S");
        assertThat(spec.getString("components.schemas.CreateUserRequest.properties.email.format")).isEqualTo("email");
        assertThat(spec.getList("components.schemas.DeploymentStatus.enum")).contains("QUEUED", "RUNNING", "SUCCEEDED", "CANCELLED");
        assertThat(spec.getString("paths.'/api/admin/slack/links/{slackUserId}'.put.parameters[0].schema.pattern"))
                .isEqualTo("^[A-Z0-9]{1,32}$");
        assertThat(spec.getString("components.schemas.LinkCode.properties.code.pattern")).isNotBlank();
        // the old services.json, as the import reads it (either form)
        assertThat(spec.getString("paths.'/api/services/import'.post.requestBody.content.'application/json'.schema.$ref"))
                .isEqualTo("#/components/schemas/LegacyServicesFile");
        assertThat(spec.getList("components.schemas.LegacyServicesFile.type")).containsExactly("array", "object");
        assertThat(spec.getMap("components.schemas.LegacyServicesFile.properties")).containsKeys("local_services", "remote_services");
        // forms are documented as forms
        assertThat(spec.getMap("paths.'/auth/login'.post.requestBody.content"))
                .containsKeys("application/json", "application/x-www-form-urlencoded");
        assertThat(spec.getString("paths.'/api/chat/slack'.post.requestBody.content.'application/x-www-form-urlencoded'.schema.$ref"))
                .isEqualTo("#/components/schemas/SlackCommandForm");
        // every operation may fail unexpectedly (500) and refuse a body it does not read (415)
        assertThat(spec.getMap("paths.'/api/servers'.post.responses")).containsKeys("415", "500");
        assertThat(spec.getString("info.license.identifier")).isEqualTo("LicenseRef-Proprietary");
        // every tag says what its operations act on
        assertThat(spec.getList("tags.name")).contains("servers", "groups", "deployments");
        assertThat(spec.getList("tags.description", String.class)).doesNotContainNull().allMatch(d -> !d.isBlank());
    }
}
