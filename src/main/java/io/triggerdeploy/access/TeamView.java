package io.triggerdeploy.access;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.OffsetDateTime;
import java.util.List;

/** A team as the API shows it: its members and how many grants name it. */
@io.quarkus.runtime.annotations.RegisterForReflection
public record TeamView(long id, String name, String description, List<Member> members, long grants,
                       @JsonProperty("created_at") OffsetDateTime createdAt) {

    public record Member(long id, String username) {
    }
}
