package io.triggerdeploy.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The contract check itself: what it lets through and what it stops, against a small document. */
class ApiContractTest {

    private static final String DOC = """
            {"openapi": "3.1.0", "paths": {
              "/api/things/{id}": {"get": {"operationId": "getThing", "responses": {
                "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                "204": {"description": "no body"},
                "404": {"content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}}}},
              "/api/things": {"post": {"operationId": "createThing",
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewThing"}}}},
                "responses": {"201": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                  "400": {"content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}}}},
              "/api/things/mine": {"get": {"operationId": "getMyThing", "responses": {
                "200": {"content": {"text/plain;charset=UTF-8": {"schema": {"type": "string"}}}}}}}},
             "components": {"schemas": {
              "Thing": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                        "seen_at": {"type": "string", "format": "date-time"}}, "required": ["id"]},
              "NewThing": {"type": "object", "properties": {"name": {"type": "string", "pattern": "^[a-z]+$"}},
                           "required": ["name"]},
              "Problem": {"type": "object", "properties": {"status": {"type": "integer"}, "title": {"type": "string"}}}}}}
            """;

    private final ApiContract contract = new ApiContract();
    private final ApiContract.Document doc;

    ApiContractTest() throws Exception {
        doc = new ApiContract.Document(new ObjectMapper().readTree(DOC));
    }

    private void check(String method, String path, int status, String type, String allow, String body) {
        contract.check(doc, new ApiContract.Answer(method, path, status, type, allow, body.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aBodyThatMatchesItsSchemaPasses() {
        assertThatCode(() -> check("GET", "/api/things/7", 200, "application/json", null,
                "{\"id\": 7, \"name\": \"web\", \"seen_at\": \"2026-12-07T03:00:00Z\"}")).doesNotThrowAnyException();
        assertThatCode(() -> check("GET", "/api/things/7", 204, null, null, "")).doesNotThrowAnyException();
        assertThatCode(() -> check("GET", "/api/things/mine", 200, "text/plain;charset=UTF-8", null, "hello"))
                .doesNotThrowAnyException();
        assertThatCode(() -> check("GET", "/api/nothing-here", 404, "application/problem+json", null,
                "{\"status\": 404, \"title\": \"Not Found\"}")).doesNotThrowAnyException();
        assertThatCode(() -> check("GET", "/login", 200, "text/html", null, "<html>")).doesNotThrowAnyException();
    }

    @Test
    void aNullWhereTheDocumentPromisesAStringFails() {
        assertThatThrownBy(() -> check("GET", "/api/things/7", 200, "application/json", null, "{\"id\": 7, \"name\": null}"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("getThing").hasMessageContaining("/name");
    }

    @Test
    void aPropertyTheSchemaDoesNotNameFails() {
        assertThatThrownBy(() -> check("GET", "/api/things/7", 200, "application/json", null, "{\"id\": 7, \"colour\": \"red\"}"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("colour");
    }

    @Test
    void aMissingRequiredPropertyOrAWrongFormatFails() {
        assertThatThrownBy(() -> check("GET", "/api/things/7", 200, "application/json", null, "{\"name\": \"web\"}"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("id");
        assertThatThrownBy(() -> check("GET", "/api/things/7", 200, "application/json", null,
                "{\"id\": 7, \"seen_at\": \"yesterday\"}")).isInstanceOf(AssertionError.class).hasMessageContaining("seen_at");
    }

    @Test
    void aStatusOrContentTypeTheDocumentDoesNotListFails() {
        assertThatThrownBy(() -> check("GET", "/api/things/7", 201, "application/json", null, "{\"id\": 7}"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("201").hasMessageContaining("[200, 204, 404]");
        assertThatThrownBy(() -> check("GET", "/api/things/7", 200, "text/html", null, "<html>"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("text/html");
        assertThatThrownBy(() -> check("GET", "/api/things/7", 204, null, null, "surprise"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("surprise");
    }

    @Test
    void anUndocumentedRouteOrMethodMustBeRefusedProperly() {
        assertThatThrownBy(() -> check("GET", "/api/secret-route", 200, "application/json", null, "{}"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("not in the API document");
        assertThatThrownBy(() -> check("DELETE", "/api/things/7", 405, "application/problem+json", null, "{\"status\": 405}"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("405 with Allow");
        assertThatCode(() -> check("DELETE", "/api/things/7", 405, "application/problem+json", "GET", "{\"status\": 405}"))
                .doesNotThrowAnyException();
    }

    @Test
    void aBodyTheServiceAcceptsMustBeOneTheDocumentAccepts() {
        byte[] good = "{\"name\": \"web\", \"extra\": 1}".getBytes(StandardCharsets.UTF_8);
        byte[] bad = "{\"name\": \"Web 1\"}".getBytes(StandardCharsets.UTF_8);
        assertThatCode(() -> contract.checkAccepted(doc, "POST", "/api/things", 201, "application/json", good))
                .doesNotThrowAnyException();
        // refused by the service as well: that is a test of the refusal, not a drift
        assertThatCode(() -> contract.checkAccepted(doc, "POST", "/api/things", 400, "application/json", bad))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> contract.checkAccepted(doc, "POST", "/api/things", 201, "application/json", bad))
                .isInstanceOf(AssertionError.class).hasMessageContaining("accepted (201) a body its document refuses")
                .hasMessageContaining("/name");
        assertThatThrownBy(() -> contract.checkAccepted(doc, "POST", "/api/things", 201, "application/x-www-form-urlencoded",
                "name=web".getBytes(StandardCharsets.UTF_8))).isInstanceOf(AssertionError.class)
                .hasMessageContaining("content type its document does not list");
    }
}
