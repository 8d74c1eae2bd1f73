package io.triggerdeploy.common;

import io.quarkus.test.junit.QuarkusTest;
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
                boolean open = path.getKey().equals("/api/login") || path.getKey().equals("/trigger") || path.getKey().equals("/hooks/{id}");
                if (!open) {
                    assertThat(op.getValue()).as("security of " + op.getKey() + " " + path.getKey()).containsKey("security");
                }
            }
        }
        assertThat(operations).isGreaterThan(25);
        // the roles an endpoint needs are its security scopes
        assertThat(spec.getList("paths.'/api/users'.get.security.bearer.flatten()")).containsExactly("admin");
        assertThat(spec.getList("paths.'/api/deployments'.post.security.bearer.flatten()")).containsExactly("operator");
        assertThat(spec.getList("paths.'/api/deployments'.get.security.bearer.flatten()")).containsExactly("viewer");
        assertThat(spec.getMap("components.schemas")).containsKeys("Problem", "LoginRequest", "UserView", "DeploymentView");
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
}
