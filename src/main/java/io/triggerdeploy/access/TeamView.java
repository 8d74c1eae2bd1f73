package io.triggerdeploy.access;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.OffsetDateTime;
import java.util.List;

/** A team as the API shows it: its members and how many grants name it. */
@io.quarkus.runtime.annotations.RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TeamView(long id, String name, String description, List<Member> members, long grants,
                       @JsonProperty("created_at") OffsetDateTime createdAt) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "TeamMember")
    public record Member(long id, String username) {
    }
}
