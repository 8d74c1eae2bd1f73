package io.triggerdeploy.deploy;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.vertx.RunOnVertxContext;
import io.quarkus.test.vertx.UniAsserter;
import io.restassured.http.ContentType;
import io.triggerdeploy.db.Transactions;
import io.triggerdeploy.support.ApiTest;
import io.triggerdeploy.support.QuietProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The queue's SQL on a real PostgreSQL, run on a Vert.x context the way the engine runs it. This instance runs no
 * deployments of its own and reaps only at start, so every claim and reap here is the test's.
 */
@QuarkusTest
@TestProfile(QuietProfile.class) // no runners: the test drives the queue's statements
class DeploymentRepositoryTest extends ApiTest {

    static final Long[] NONE = new Long[0];

    @Inject
    DeploymentRepository repository;

    @Inject
    Transactions transactions;
    long a;
    long b;

    /** No runner threads, and the reaper's next round an hour away. */
    @BeforeEach
    void servers() throws Exception {
        // what other test classes left queued or running belongs to no one now
        update("UPDATE deployments SET status = 'CANCELLED', finished_at = now() WHERE status = 'QUEUED'");
        update("UPDATE deployments SET status = 'INTERRUPTED', finished_at = now(), lease_until = NULL WHERE status = 'RUNNING'");
        String admin = adminToken();
        a = server(admin, unique("qa-"));
        b = server(admin, unique("qb-"));
    }

    private static long server(String admin, String alias) {
        return given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", alias, "alias", alias, "host", "127.0.0.1", "user", "deploy", "path", "/srv/app"))
                .post("/api/servers").then().statusCode(201).extract().jsonPath().getLong("id");
    }

    private io.smallrye.mutiny.Uni<DeploymentView> queue(long serverId, String note) {
        return transactions.run(tx -> repository.insert(tx, serverId, "s" + serverId, "test", null, "api", "127.0.0.1", note));
    }

    @Test
    @RunOnVertxContext
    void claimsTakeTheOldestAndOneServerNeverRunsTwo(UniAsserter asserter) {
        asserter.execute(() -> queue(a, "a1").chain(() -> queue(b, "b1")).chain(() -> queue(a, "a2")));
        // oldest first; then b (a is busy), even when asked for five; then nothing, since a2 waits for a1
        asserter.assertThat(() -> repository.claim("r1", 60, 1), c -> assertThat(c).extracting(x -> x.view().note()).containsExactly("a1"));
        asserter.assertThat(() -> repository.claim("r2", 60, 5), c -> {
            assertThat(c).extracting(x -> x.view().note()).containsExactly("b1");
            asserter.putData("b1", c.get(0).id());
        });
        asserter.assertThat(() -> repository.claim("r3", 60, 5), c -> assertThat(c).isEmpty());
        // a claim finished by a replica that no longer holds it records nothing
        asserter.assertThat(() -> repository.finish((Long) asserter.getData("b1"), "not-r2", DeploymentStatus.SUCCEEDED, 0, null),
                d -> assertThat(d).isNull());
        asserter.assertThat(() -> repository.finish((Long) asserter.getData("b1"), "r2", DeploymentStatus.SUCCEEDED, 0, null),
                d -> {
                    assertThat(d.status()).isEqualTo("SUCCEEDED");
                    assertThat(d.finishedAt()).isNotNull();
                });
        asserter.assertThat(() -> repository.claim("r3", 60, 5), c -> assertThat(c).isEmpty());
    }

    @Test
    @RunOnVertxContext
    void oneClaimTakesTheHeadOfEachServersQueueAtOnce(UniAsserter asserter) {
        asserter.execute(() -> queue(a, "a1").chain(() -> queue(b, "b1")).chain(() -> queue(a, "a2")));
        // a wave's hosts start together: one statement claims a1 and b1 (oldest first), never a2 behind a1
        asserter.assertThat(() -> repository.claim("r1", 60, 10), c -> {
            assertThat(c).extracting(x -> x.view().note()).containsExactly("a1", "b1");
            assertThat(c).allSatisfy(x -> assertThat(x.view().status()).isEqualTo("RUNNING"));
            asserter.putData("a1", c.get(0).id());
        });
        asserter.assertThat(() -> repository.claim("r2", 60, 10), c -> assertThat(c).isEmpty());
        asserter.execute(() -> repository.finish((Long) asserter.getData("a1"), "r1", DeploymentStatus.SUCCEEDED, 0, null));
        asserter.assertThat(() -> repository.claim("r2", 60, 10), c -> assertThat(c).extracting(x -> x.view().note()).containsExactly("a2"));
    }

    @Test
    @RunOnVertxContext
    void theReaperInterruptsWhatStoppedRenewingItsLease(UniAsserter asserter) {
        asserter.execute(() -> queue(a, "lost"));
        asserter.assertThat(() -> repository.claim("gone", 1, 1), c -> asserter.putData("id", c.get(0).id()));
        asserter.assertThat(() -> repository.renew((Long) asserter.getData("id"), "someone-else", 60), r -> assertThat(r).isNull());
        asserter.assertThat(() -> repository.reap(), reaped -> assertThat(reaped).isEmpty()); // the lease still runs
        asserter.execute(() -> io.smallrye.mutiny.Uni.createFrom().voidItem()
                .onItem().delayIt().by(java.time.Duration.ofMillis(1200)));
        asserter.assertThat(() -> repository.reap(), reaped -> {
            assertThat(reaped).extracting(DeploymentView::id).containsExactly((Long) asserter.getData("id"));
            assertThat(reaped.get(0).status()).isEqualTo("INTERRUPTED");
            assertThat(reaped.get(0).error()).contains("gone").contains("stopped renewing its lease");
        });
        // the server is free again
        asserter.execute(() -> queue(a, "next"));
        asserter.assertThat(() -> repository.claim("r1", 60, 1), c -> assertThat(c).extracting(x -> x.view().note()).containsExactly("next"));
    }

    @Test
    @RunOnVertxContext
    void historyPagesAreNewestFirstAndKeysetPaged(UniAsserter asserter) {
        for (int i = 0; i < 5; i++) {
            String note = "p" + i;
            asserter.execute(() -> queue(b, note));
        }
        asserter.assertThat(() -> repository.page(b, null, null, null, null, null, null, 2, NONE), first -> {
            assertThat(first).extracting(DeploymentView::note).containsExactly("p4", "p3");
            asserter.putData("cursor", first.get(1).id());
        });
        asserter.assertThat(() -> repository.page(b, null, null, null, null, null, (Long) asserter.getData("cursor"), 2, NONE),
                second -> assertThat(second).extracting(DeploymentView::note).containsExactly("p2", "p1"));
        asserter.assertThat(() -> repository.page(b, "QUEUED", "TEST", null, null, null, null, 10, NONE),
                all -> assertThat(all).hasSize(5)); // status and user filters (the user case-insensitively)
        asserter.assertThat(() -> repository.page(b, "FAILED", null, null, null, null, null, 10, NONE), none -> assertThat(none).isEmpty());
    }

    @Test
    void aSecondRunningDeploymentOfOneServerIsRefusedByTheDatabase() throws Exception {
        update("INSERT INTO deployments (server_id, server_alias, status, requested_by, source, started_at) VALUES ("
                + a + ", 'x', 'RUNNING', 'test', 'api', now())");
        List<String> codes = new java.util.ArrayList<>();
        try {
            update("INSERT INTO deployments (server_id, server_alias, status, requested_by, source, started_at) VALUES ("
                    + a + ", 'x', 'RUNNING', 'test', 'api', now())");
        } catch (java.sql.SQLException e) {
            codes.add(e.getSQLState());
        }
        assertThat(codes).containsExactly("23505");
    }
}
