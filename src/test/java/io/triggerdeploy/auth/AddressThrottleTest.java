package io.triggerdeploy.auth;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.triggerdeploy.support.ApiTest;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.notNullValue;

/** Spraying many usernames from one address is throttled per address. */
@QuarkusTest
@TestProfile(AddressThrottleTest.LowAddressLimit.class)
class AddressThrottleTest extends ApiTest {

    /** Three failures per address. */
    public static class LowAddressLimit implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("trigger.auth.rate-limit.max-failures-per-address", "3");
        }
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
