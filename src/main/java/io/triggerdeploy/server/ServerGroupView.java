package io.triggerdeploy.server;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * A group as the API shows it to one caller: the servers they may see, by alias and in the group's order, and how many
 * more there are that they may not (never named).
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(name = "GroupView")
public record ServerGroupView(long id, String name, String description, List<String> servers, List<Long> serverIds,
                              @Schema(description = "Servers of the group the caller may not see (left out when none)")
                              Integer hiddenServers, String createdBy, OffsetDateTime createdAt, OffsetDateTime updatedAt) {
}
