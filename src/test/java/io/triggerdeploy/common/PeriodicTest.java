package io.triggerdeploy.common;

import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.support.TestLogs;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A background job that keeps failing is seen in the log, once per stretch of failures, not once per round. */
@QuarkusTest
class PeriodicTest {

    @Inject
    Periodic periodic;

    @Test
    void aFailingJobWarnsOnceThenSaysWhenItWorksAgain() {
        String name = "Test job " + UUID.randomUUID();
        String cause = "boom-" + UUID.randomUUID();
        AtomicInteger rounds = new AtomicInteger();
        Periodic.Handle h = periodic.every(name, Duration.ofMillis(10), Duration.ofMillis(20), () ->
                rounds.incrementAndGet() <= 25 ? Uni.createFrom().failure(new IllegalStateException(cause)) : Uni.createFrom().voidItem());
        try {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> TestLogs.read(TestLogs.APP).contains(name + " works again after 25 failed round(s)"));
        } finally {
            h.cancel();
        }
        String log = TestLogs.read(TestLogs.APP);
        long warnings = log.lines().filter(l -> l.contains(" WARN ") && l.contains(name + " failed") && l.contains(cause)).count();
        assertThat(warnings).as("25 failed rounds within %s: one WARN", Periodic.WARN_EVERY).isEqualTo(1);
    }
}
