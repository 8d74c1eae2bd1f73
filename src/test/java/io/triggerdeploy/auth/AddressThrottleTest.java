package io.triggerdeploy.auth;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.triggerdeploy.support.ApiTest;
import io.triggerdeploy.support.QuietProfile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.notNullValue;

/** Spraying many usernames from one address is throttled per address. */
@QuarkusTest
@TestProfile(QuietProfile.class) // three failures per address
class AddressThrottleTest extends ApiTest {

    /** The address is everyone's here (loopback): the other classes of the profile sign in after this one. */
    @AfterAll
    static void unthrottle() throws Exception {
        update("DELETE FROM login_throttle");
    }

    @Test
    void manyUsernamesFromOneAddressAreThrottled() {
        for (int i = 0; i < 3; i++) {
            given().contentType(ContentType.JSON).body(Map.of("username", unique("spray"), "password", "guess-guess"))
                    .post("/api/login").then().statusCode(401);
        }
        given().contentType(ContentType.JSON).body(Map.of("username", ADMIN, "password", ADMIN_PASSWORD))
                .post("/api/login").then().statusCode(429).header("Retry-After", notNullValue())
                .contentType("application/problem+json");
    }
}
