package io.triggerdeploy.db;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only once bootstrap is done and while the database answers a real query. */
@Readiness
@ApplicationScoped
public class DatabaseReadinessCheck implements AsyncHealthCheck {

    private final DatabaseState state;
    private final DatabaseProbeRepository probe;
    private final DbConfig config;

    public DatabaseReadinessCheck(DatabaseState state, DatabaseProbeRepository probe, DbConfig config) {
        this.state = state;
        this.probe = probe;
        this.config = config;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        if (!state.isReady()) {
            return Uni.createFrom().item(HealthCheckResponse.named("database").down()
                    .withData("phase", state.phase().name().toLowerCase())
                    .withData("detail", state.detail()).build());
        }
        return probe.ping()
                .ifNoItem().after(config.healthTimeout()).fail()
                .map(rows -> HealthCheckResponse.named("database").up().build())
                .onFailure().recoverWithItem(e -> HealthCheckResponse.named("database").down()
                        .withData("phase", "unreachable")
                        .withData("detail", DatabaseBootstrap.summary(e)).build());
    }
}
