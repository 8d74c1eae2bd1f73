package io.triggerdeploy.legacy;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.db.DatabaseReadinessCheck;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirements;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * The old tool's {@code GET /health} for the monitors that poll it: healthy while this replica can serve (its
 * database bootstrap is done and PostgreSQL answers), 503 unhealthy with the reason otherwise. The same check as
 * {@code /q/health/ready}.
 */
@Path("/health")
@Tag(name = "Legacy routes")
public class LegacyHealthResource {

    private final DatabaseReadinessCheck readiness;
    private final String version;

    public LegacyHealthResource(@org.eclipse.microprofile.health.Readiness DatabaseReadinessCheck readiness,
                                @ConfigProperty(name = "quarkus.application.version", defaultValue = "unknown") String version) {
        this.readiness = readiness;
        this.version = version;
    }

    /** The old tool's health body; {@code reason} only when unhealthy (never a secret). */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    @Schema(name = "LegacyHealth")
    public record Health(String status, OffsetDateTime timestamp, String version, String database, String reason) {
    }

    @GET
    @PermitAll
    @Produces(MediaType.APPLICATION_JSON)
    @SecurityRequirements
    @Operation(operationId = "legacyHealth", summary = "Health in the old tool's shape (200 healthy / 503 unhealthy)")
    public Uni<RestResponse<Health>> health() {
        return readiness.call().map(r -> {
            OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
            if (r.getStatus() == HealthCheckResponse.Status.UP) {
                return RestResponse.ResponseBuilder.ok(new Health("healthy", now, version, "up", null))
                        .header("Cache-Control", "no-store").build();
            }
            var data = r.getData().orElse(java.util.Map.of());
            String phase = String.valueOf(data.getOrDefault("phase", "unknown"));
            String detail = String.valueOf(data.getOrDefault("detail", ""));
            String reason = "database " + phase.replace('_', ' ') + (detail.isEmpty() ? "" : ": " + detail);
            return RestResponse.ResponseBuilder.create(RestResponse.Status.SERVICE_UNAVAILABLE,
                            new Health("unhealthy", now, version, "down", reason))
                    .header("Cache-Control", "no-store").header("Retry-After", "5").build();
        });
    }
}
