package io.triggerdeploy.rollout;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.db.Tx;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Writes the rollout's event stream: after every step and action, in its transaction, what changed since the rollout was
 * locked ({@code status} with the reason, {@code wave} started, {@code gate}) and every host whose status differs from
 * what the stream last told ({@code host}, which also catches a host that started or ended on any replica).
 */
@ApplicationScoped
public class RolloutEvents {

    private final RolloutRepository repository;

    public RolloutEvents(RolloutRepository repository) {
        this.repository = repository;
    }

    Uni<Void> created(Tx tx, Rollout r) {
        return repository.event(tx, r.id, "status", null, new JsonObject().put("status", r.status).put("current_wave", r.currentWave)
                .put("waves", r.waveCount).encode());
    }

    Uni<Void> sync(Tx tx, Rollout r, Rollout.Snapshot before) {
        Uni<Void> u = Uni.createFrom().voidItem();
        if (r.waveStartedAt != null && (!before.waveStarted() || before.currentWave() != r.currentWave)) {
            u = u.chain(() -> repository.event(tx, r.id, "wave", null, new JsonObject().put("wave", r.currentWave)
                    .put("waves", r.waveCount).encode()));
        }
        if (!Objects.equals(before.gate(), r.gate)) {
            u = u.chain(() -> repository.event(tx, r.id, "gate", null, new JsonObject().put("wave", r.currentWave)
                    .put("gate", r.gate).encode()));
        }
        if (!Objects.equals(before.status(), r.status) || !Objects.equals(before.pausedReason(), r.pausedReason)) {
            u = u.chain(() -> repository.event(tx, r.id, "status", null, new JsonObject().put("status", r.status)
                    .put("paused_reason", r.pausedReason).put("current_wave", r.currentWave).put("waves", r.waveCount).encode()));
        }
        // the hosts whose status changed since last reported: their statements go out together on the transaction's
        // connection, which runs them in this order (so the events keep the hosts' order)
        return u.chain(() -> repository.hosts(tx, r.id)).chain(hosts -> {
            List<Uni<Void>> changed = new ArrayList<>();
            for (Rollout.HostRow host : hosts) {
                String now = host.status();
                if (!now.equals(host.reported())) {
                    JsonObject data = new JsonObject().put("server", host.alias()).put("server_id", host.serverId()).put("wave", host.wave())
                            .put("status", now).put("deployment_id", host.deploymentId()).put("attempts", host.attempts());
                    changed.add(repository.event(tx, r.id, "host", host.serverId(), data.encode())
                            .chain(() -> repository.reported(tx, r.id, host.serverId(), now)));
                }
            }
            return changed.isEmpty() ? Uni.createFrom().voidItem() : Uni.join().all(changed).andFailFast().replaceWithVoid();
        });
    }
}
