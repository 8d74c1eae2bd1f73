package io.triggerdeploy.chat;

import io.quarkus.test.junit.QuarkusTest;
import io.triggerdeploy.support.ApiTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

/** Without a signing secret (the default), the Slack endpoint does not exist: nothing answers an unsigned command. */
@QuarkusTest
class SlackOffTest extends ApiTest {

    @Test
    void withoutASigningSecretTheSlackEndpointIs404() {
        given().contentType("application/x-www-form-urlencoded").body("user_id=U1&command=/deploy&text=list")
                .post("/api/chat/slack").then().statusCode(404).contentType(containsString("application/problem+json"))
                .body("detail", containsString("not configured"));
    }
}
