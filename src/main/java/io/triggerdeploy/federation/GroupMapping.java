package io.triggerdeploy.federation;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.triggerdeploy.security.Role;

import java.time.OffsetDateTime;
import java.util.Optional;

/** One row of the group mapping: a provider's group, the role and/or team it gives, who made it and when. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GroupMapping(long id, String provider, String group, String role, Long teamId, String teamName,
                           String createdBy, OffsetDateTime createdAt) {

    /** The role this mapping gives, if any. */
    public Optional<Role> grantedRole() {
        return Role.parse(role);
    }
}
