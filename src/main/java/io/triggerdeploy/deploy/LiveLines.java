package io.triggerdeploy.deploy;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Hands a deployment's lines, as they are produced, to the live streams on the replica that runs it, without
 * waiting for the batch INSERT, its NOTIFY and a SELECT per stream. PostgreSQL stays the record: streams on other
 * replicas, resumes ({@code Last-Event-ID}) and any gap read the stored lines, and every stream skips line
 * numbers it has already sent, so a line is never lost or sent twice.
 */
@ApplicationScoped
public class LiveLines {

    private final Map<Long, Set<Consumer<LogLine>>> taps = new ConcurrentHashMap<>();

    /** Registers a consumer of deployment {@code id}'s new lines; run the answer to unregister. */
    Runnable tap(long id, Consumer<LogLine> consumer) {
        taps.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet()).add(consumer);
        return () -> taps.computeIfPresent(id, (k, set) -> {
            set.remove(consumer);
            return set.isEmpty() ? null : set;
        });
    }

    /** A line was produced (numbered, masked); called on the thread reading the SSH channel, so consumers only enqueue. */
    void offer(long id, LogLine line) {
        Set<Consumer<LogLine>> consumers = taps.get(id);
        if (consumers != null) {
            consumers.forEach(c -> c.accept(line));
        }
    }
}
