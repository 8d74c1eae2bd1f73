package io.triggerdeploy.rollout;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.access.Access;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.List;

/**
 * The rollout's event stream for one reader: the stored events after the one it last received (its id, so a reconnect
 * with {@code Last-Event-ID} loses and repeats nothing), then each new one as it is written, until the rollout has ended
 * and every host's last change was told. Events about servers the reader may not see are left out, and a status reason
 * that names one says "a hidden server" instead.
 */
@ApplicationScoped
public class RolloutStream {

    /** How often a reader's stream looks for new events (any replica wrote them). */
    static final Duration POLL = Duration.ofMillis(500);
    private static final int BATCH = 500;

    private final RolloutRepository repository;
    private final RolloutService rollouts;

    public RolloutStream(RolloutRepository repository, RolloutService rollouts) {
        this.repository = repository;
        this.rollouts = rollouts;
    }

    /** One event as a reader receives it: its id, its kind ({@code status}, {@code wave}, {@code gate}, {@code host}), its JSON. */
    public record Event(long id, String kind, String json) {
    }

    private record Batch(List<RolloutRepository.Event> events, boolean ended) {
    }

    public Multi<Event> events(long id, long afterId, Access access) {
        return rollouts.get(id, access).onItem().transformToMulti(first -> {
            long[] cursor = {afterId};
            return Multi.createBy().repeating().uni(() -> next(id, cursor)).withDelay(POLL).whilst(b -> !b.ended())
                    .onItem().transformToIterable(Batch::events)
                    .select().where(e -> e.serverId() == null || access.sees(e.serverId()))
                    .onItem().transformToUniAndConcatenate(e -> "status".equals(e.kind()) ? repository.hosts(null, id)
                            .map(hosts -> new Event(e.id(), e.kind(), RolloutViews.redact(e.json(), hosts, access)))
                            : Uni.createFrom().item(new Event(e.id(), e.kind(), e.json())));
        });
    }

    private Uni<Batch> next(long id, long[] cursor) {
        return repository.events(id, cursor[0], BATCH).chain(list -> {
            if (!list.isEmpty()) {
                cursor[0] = list.get(list.size() - 1).id();
                return Uni.createFrom().item(new Batch(list, false));
            }
            return repository.find(id).chain(r -> r == null || r.active() ? Uni.createFrom().item(new Batch(List.of(), r == null))
                    : repository.hosts(null, id).map(hosts -> new Batch(List.of(),
                    hosts.stream().allMatch(h -> h.status().equals(h.reported())))));
        });
    }
}
