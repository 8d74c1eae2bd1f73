package io.triggerdeploy.notify;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.OffsetDateTime;

/** A forge link as it is read back (the token never is): where its deployments' status goes, and how the last write went. */
public record ForgeLink(long id, String kind, String apiUrl, String repository,
                        @Schema(nullable = true, description = "The environment whose deployments write here (or server)") String environment,
                        @Schema(nullable = true) Long serverId,
                        @Schema(nullable = true, description = "The server whose deployments write here (or environment)") String server,
                        @Schema(nullable = true) String environmentUrl,
                        @Schema(nullable = true, description = "ok, or why the last write failed; null before the first") String lastResult,
                        @Schema(nullable = true) OffsetDateTime lastAt,
                        @Schema(nullable = true) String createdBy, OffsetDateTime createdAt) {
}
