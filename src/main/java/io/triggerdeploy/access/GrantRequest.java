package io.triggerdeploy.access;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * A permission on an environment (by name) or one server (id, alias or host), to a team (id or name) or a user (id or
 * username): exactly one of each pair.
 */
public record GrantRequest(@Size(max = 64) String environment, @Size(max = 253) String server,
                           @Size(max = 64) String team, @Size(max = 64) String user,
                           @NotBlank(message = "is required") @Pattern(regexp = "view|deploy|approve|manage",
                                   message = "must be view, deploy, approve or manage") String permission) {
}
