package io.triggerdeploy.access;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.OffsetDateTime;

/** One grant: a permission on an environment or a server, to a team or a user. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@io.quarkus.runtime.annotations.RegisterForReflection
public record GrantView(long id, String permission, String environment, String server,
                        @JsonProperty("server_id") Long serverId,
                        @JsonIgnore Long scopeEnvironmentId, String team, String user,
                        @JsonProperty("created_by") String createdBy, @JsonProperty("created_at") OffsetDateTime createdAt) {
}
