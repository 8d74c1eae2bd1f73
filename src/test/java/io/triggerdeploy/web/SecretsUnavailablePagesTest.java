package io.triggerdeploy.web;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.triggerdeploy.support.ApiTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An installation without a secrets key (the default test profile has none) says so where secrets and two-factor sign-in
 * are offered, with the one-line fix, and does not offer what would fail with a 409 after the user tried.
 */
@QuarkusTest
class SecretsUnavailablePagesTest extends ApiTest {

    private static String adminSession() {
        return given().contentType(ContentType.URLENC).formParam("username", ADMIN).formParam("password", ADMIN_PASSWORD)
                .redirects().follow(false).post("/login").then().statusCode(303).extract().cookie("td_session");
    }

    @Test
    void theAccountPageSaysTwoFactorNeedsTheKeyAndOffersNoSetUp() {
        String html = given().cookie("td_session", adminSession()).get("/account").then().statusCode(200).extract().asString();
        assertThat(html).contains("id=\"totp-unavailable\"").contains("TRIGGER_SECRETS_KEY_FILE=/path/to/secrets.key")
                .contains("id=\"totp-start\" hidden disabled");
    }

    @Test
    void theServerFormSaysSecretVariablesNeedTheKeyAndTakesNone() {
        String html = given().cookie("td_session", adminSession()).get("/servers").then().statusCode(200).extract().asString();
        assertThat(html).contains("id=\"secrets-unavailable\"").contains("TRIGGER_SECRETS_KEY_FILE=/path/to/secrets.key");
        assertThat(html.substring(html.indexOf("id=\"s-secrets\""), html.indexOf("</textarea>", html.indexOf("id=\"s-secrets\""))))
                .contains("disabled");
    }
}
