package io.triggerdeploy.deploy;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayDeque;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Hands a deployment's lines, as they are produced, to the live streams on the replica that runs it, without
 * waiting for the batch INSERT, its NOTIFY and a SELECT per stream. The last {@value #RECENT} lines of a running
 * deployment are kept, so a stream that connects a moment after the command started (before the first batch is
 * stored) gets them at once. PostgreSQL stays the record: streams on other replicas, resumes
 * ({@code Last-Event-ID}) and any gap read the stored lines, and every stream skips line numbers it has already
 * sent, so a line is never lost or sent twice.
 */
@ApplicationScoped
public class LiveLines {

    static final int RECENT = 2000;

    /** One deployment's recent lines and the streams following it here. */
    private static final class Feed {
        final ArrayDeque<LogLine> recent = new ArrayDeque<>();
        final Set<Consumer<LogLine>> consumers = new LinkedHashSet<>();
        boolean running;
    }

    private final Map<Long, Feed> feeds = new ConcurrentHashMap<>();

    /** Registers a consumer of deployment {@code id}'s lines (the recent ones first); run the answer to unregister. */
    Runnable tap(long id, Consumer<LogLine> consumer) {
        Feed f = feeds.computeIfAbsent(id, k -> new Feed());
        synchronized (f) {
            f.consumers.add(consumer);
            f.recent.forEach(consumer);
        }
        return () -> {
            synchronized (f) {
                f.consumers.remove(consumer);
                if (f.consumers.isEmpty() && !f.running) {
                    feeds.remove(id, f);
                }
            }
        };
    }

    /** A line was produced (numbered, masked); called on the thread reading the SSH channel, so consumers only enqueue. */
    void offer(long id, LogLine line) {
        Feed f = feeds.computeIfAbsent(id, k -> new Feed());
        synchronized (f) {
            f.running = true;
            f.recent.addLast(line);
            if (f.recent.size() > RECENT) {
                f.recent.removeFirst();
            }
            for (Consumer<LogLine> c : f.consumers) {
                c.accept(line);
            }
        }
    }

    /** The deployment ended here and its lines are stored: forget them (streams finish from the database). */
    void end(long id) {
        Feed f = feeds.get(id);
        if (f == null) {
            return;
        }
        synchronized (f) {
            f.running = false;
            f.recent.clear();
            if (f.consumers.isEmpty()) {
                feeds.remove(id, f);
            }
        }
    }
}
