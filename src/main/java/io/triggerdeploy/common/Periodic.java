package io.triggerdeploy.common;

import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The one way periodic work runs: a Vert.x timer starts each round on a fresh duplicated context (so reactive
 * clients and Hibernate Reactive work), a round still running when the next is due is skipped rather than
 * stacked, a failed round is logged (a WARN at the first failure and at most one per {@link #WARN_EVERY} per job while it
 * goes on failing, with how many rounds failed meanwhile; INFO when it works again) and the next one runs as planned,
 * and every timer stops at shutdown.
 * Blocking work inside a round leaves the event loop through {@link Workers#run}.
 */
@ApplicationScoped
public class Periodic {

    /** A job that keeps failing says so at most this often (a database away for an hour is 6 lines per job, not 1,800). */
    static final Duration WARN_EVERY = Duration.ofMinutes(10);
    private static final Logger LOG = Logger.getLogger(Periodic.class);

    private final Vertx vertx;
    private final Set<Handle> handles = ConcurrentHashMap.newKeySet();

    public Periodic(Vertx vertx) {
        this.vertx = vertx;
    }

    /** A scheduled job; {@link #cancel()} stops it. */
    public final class Handle {
        private final String name;
        private final Supplier<Uni<?>> work;
        private final AtomicBoolean busy = new AtomicBoolean();
        private volatile long timer = -1;
        private volatile boolean cancelled;
        /** Rounds failed in a row, and when the last WARN about them was written (rounds never overlap). */
        private int failures;
        private long lastWarn;

        private Handle(String name, Supplier<Uni<?>> work) {
            this.name = name;
            this.work = work;
        }

        private void round() {
            if (cancelled || !busy.compareAndSet(false, true)) {
                return;
            }
            Context ctx = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
            // a fresh duplicated context per round is isolated, which is what Hibernate Reactive sessions ask for
            io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle.setContextSafe(ctx, true);
            ctx.runOnContext(v -> {
                Uni<?> u;
                try {
                    u = work.get();
                } catch (RuntimeException e) {
                    u = Uni.createFrom().failure(e);
                }
                u.subscribe().with(x -> {
                    succeeded();
                    busy.set(false);
                }, e -> {
                    failed(e);
                    busy.set(false);
                });
            });
        }

        private void failed(Throwable e) {
            failures++;
            long now = System.nanoTime();
            if (failures == 1 || now - lastWarn >= WARN_EVERY.toNanos()) {
                lastWarn = now;
                LOG.warnf("%s failed%s: %s", name, failures == 1 ? "" : " (" + failures + " rounds in a row)", summary(e));
            } else {
                LOG.debugf("%s failed again (%d rounds in a row): %s", name, failures, summary(e));
            }
        }

        private void succeeded() {
            if (failures > 0) {
                LOG.infof("%s works again after %d failed round(s)", name, failures);
                failures = 0;
            }
        }

        public void cancel() {
            cancelled = true;
            if (timer >= 0) {
                vertx.cancelTimer(timer);
            }
            handles.remove(this);
        }
    }

    /** Runs {@code work} after {@code first}, then every {@code interval} (a zero interval disables the job). */
    public Handle every(String name, Duration first, Duration interval, Supplier<Uni<?>> work) {
        Handle h = new Handle(name, work);
        if (interval.isZero() || interval.isNegative()) {
            h.cancelled = true;
            return h;
        }
        handles.add(h);
        long period = Math.max(1, interval.toMillis());
        if (first.isZero() || first.isNegative()) {
            vertx.runOnContext(v -> h.round());
        }
        long delay = Math.max(1, first.isZero() || first.isNegative() ? period : first.toMillis());
        h.timer = vertx.setTimer(delay, t -> {
            h.round();
            if (!h.cancelled) {
                // a cancel that raced with this line still stops the timer at its next tick
                h.timer = vertx.setPeriodic(period, p -> {
                    if (h.cancelled) {
                        vertx.cancelTimer(p);
                    } else {
                        h.round();
                    }
                });
            }
        });
        return h;
    }

    /** One line of what went wrong: the message, or the kind of failure when it has none. */
    private static String summary(Throwable e) {
        String m = e.getMessage();
        return (m == null || m.isBlank() ? e.getClass().getSimpleName() : m).replaceAll("\\s+", " ").trim();
    }

    void stop(@Observes ShutdownEvent event) {
        for (Handle h : Set.copyOf(handles)) {
            h.cancel();
        }
    }
}
