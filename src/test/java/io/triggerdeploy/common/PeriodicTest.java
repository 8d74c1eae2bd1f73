package io.triggerdeploy.common;

import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import org.jboss.logmanager.ExtHandler;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A background job that keeps failing is seen in the log, once per stretch of failures, not once per round. */
@QuarkusTest
class PeriodicTest {

    @Inject
    Periodic periodic;

    /** What Periodic logs about one job, as level and message (the log file may roll over while a test reads it). */
    static final class Captured extends ExtHandler {
        final List<String> lines = new CopyOnWriteArrayList<>();
        private final String job;

        Captured(String job) {
            this.job = job;
        }

        @Override
        protected void doPublish(ExtLogRecord r) {
            String m = r.getFormattedMessage();
            if (m != null && m.startsWith(job)) {
                lines.add(r.getLevel() + " " + m);
            }
        }
    }

    @Test
    void aFailingJobWarnsOnceThenSaysWhenItWorksAgain() {
        String name = "Test job " + UUID.randomUUID();
        String cause = "boom-" + UUID.randomUUID();
        Captured log = new Captured(name);
        Logger logger = Logger.getLogger(Periodic.class.getName());
        logger.addHandler(log);
        AtomicInteger rounds = new AtomicInteger();
        Periodic.Handle h = periodic.every(name, Duration.ofMillis(10), Duration.ofMillis(20), () ->
                rounds.incrementAndGet() <= 25 ? Uni.createFrom().failure(new IllegalStateException(cause)) : Uni.createFrom().voidItem());
        try {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> log.lines.stream().anyMatch(l -> l.startsWith("INFO " + name + " works again after 25 failed round(s)")));
        } finally {
            h.cancel();
            logger.removeHandler(log);
        }
        assertThat(log.lines.stream().filter(l -> l.startsWith("WARN ")).toList()).as("25 failed rounds within %s", Periodic.WARN_EVERY)
                .containsExactly("WARN " + name + " failed: " + cause);
    }
}
