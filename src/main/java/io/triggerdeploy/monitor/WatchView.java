package io.triggerdeploy.monitor;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * A service with its current status, uptime (share of checks that were not DOWN) over 24 h and 7 d, and its
 * recent checks, newest first.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(name = "ServiceView") // the API document keeps its schema names
public record WatchView(long id, String name, String kind, String target, String expectedStatuses, String bodyContains,
                          int intervalSeconds, int timeoutMs, Integer slowMs, Long serverId, String server, String description,
                          boolean active, String status, OffsetDateTime lastCheckedAt, Double uptime24h, Double uptime7d,
                          List<Check> history) {

    /** One check result. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "ServiceCheck")
    public record Check(long id, OffsetDateTime checkedAt, String status, Integer responseMs, Integer statusCode, String error,
                        String cause, Long deploymentId, String service) {
    }
}
