package io.triggerdeploy.user;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.triggerdeploy.security.Role;
import io.triggerdeploy.support.ApiTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The user rows requests need are cached (10 s in the test profile too), yet a change made anywhere else, by
 * another replica or straight in SQL, is seen by the next requests within the notification's delay.
 */
@QuarkusTest
class UserCacheTest extends ApiTest {

    @jakarta.inject.Inject
    UserCache cache;

    @Test
    void aChangeMadeOutsideThisReplicaReachesTheNextRequestsWellBeforeTheCacheWouldExpire() throws Exception {
        String admin = adminToken();
        String name = unique("cached");
        long id = createUser(admin, name, "cached-pass-1", "operator");
        String jwt = login(name, "cached-pass-1");
        // the login itself changed the row (last login time): cached once its notification is in
        await().atMost(Duration.ofSeconds(8)).pollInterval(Duration.ofMillis(20)).until(() -> {
            given().auth().oauth2(jwt).get("/api/me").then().statusCode(200).body("email", org.hamcrest.Matchers.nullValue());
            return cache.holds(id);
        });
        String email = name + "@example.org";
        assertThat(update("UPDATE users SET email = '" + email + "' WHERE id = " + id)).isEqualTo(1);
        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(20)).untilAsserted(() ->
                given().auth().oauth2(jwt).get("/api/me").then().statusCode(200).body("email", org.hamcrest.Matchers.equalTo(email)));

        // deactivated by another replica: the login token stops working, as it did when every request read the row
        await().atMost(Duration.ofSeconds(8)).pollInterval(Duration.ofMillis(20)).until(() -> cache.holds(id));
        assertThat(update("UPDATE users SET active = FALSE WHERE id = " + id)).isEqualTo(1);
        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(20)).untilAsserted(() ->
                given().auth().oauth2(jwt).get("/api/me").then().statusCode(401));
    }

    @Test
    void aChangeOnThisReplicaTakesEffectForTheVeryNextRequest() {
        String admin = adminToken();
        String name = unique("local");
        long id = createUser(admin, name, "local-pass-1", "operator");
        String jwt = login(name, "local-pass-1");
        for (int i = 0; i < 3; i++) {
            given().auth().oauth2(jwt).get("/api/me").then().statusCode(200);
        }
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("active", false)).patch("/api/users/" + id)
                .then().statusCode(200);
        given().auth().oauth2(jwt).get("/api/me").then().statusCode(401);
    }

    private static UserCache.LiveUser user(long id, String name) {
        return new UserCache.LiveUser(id, name, null, Role.OPERATOR, true, 0, null);
    }

    /** A read through the cache whose database load counts itself and answers a user named {@code name}. */
    private static String read(UserCache cache, AtomicInteger loads, String name) {
        return cache.get(1, id -> {
            loads.incrementAndGet();
            return Uni.createFrom().item(user(1, name));
        }).await().indefinitely().username();
    }

    @Test
    void aReadThatStartedBeforeAChangeNeverStoresWhatItRead() {
        UserCache cache = new UserCache(Duration.ofSeconds(60));
        cache.listening(true);
        AtomicInteger loads = new AtomicInteger();
        AtomicReference<UniEmitter<? super UserCache.LiveUser>> pending = new AtomicReference<>();
        AtomicReference<UserCache.LiveUser> seen = new AtomicReference<>();
        cache.get(1, id -> Uni.createFrom().emitter(e -> {
            loads.incrementAndGet();
            pending.set(e);
        })).subscribe().with(seen::set);
        cache.changed(1); // committed elsewhere while the read was under way
        pending.get().complete(user(1, "before"));
        assertThat(seen.get().username()).isEqualTo("before");
        // the old row was not stored: the next read loads again, and that one is kept
        assertThat(read(cache, loads, "after")).isEqualTo("after");
        assertThat(read(cache, loads, "not loaded")).isEqualTo("after");
        assertThat(loads.get()).isEqualTo(2);

        // a change of this replica under way: every read goes to the database until its notification arrives
        cache.changing(1);
        for (int i = 0; i < 3; i++) {
            read(cache, loads, "pending");
        }
        assertThat(loads.get()).isEqualTo(5);

        // while the LISTEN connection is down nothing is cached, and the reconnect starts empty
        cache.changed(1);
        cache.listening(false);
        for (int i = 0; i < 2; i++) {
            read(cache, loads, "down");
        }
        assertThat(loads.get()).isEqualTo(7);
    }
}
