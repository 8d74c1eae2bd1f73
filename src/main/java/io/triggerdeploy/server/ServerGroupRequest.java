package io.triggerdeploy.server;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;

/** A group as an admin writes it: its name, what it is for, and its servers in order (ids or aliases). */
@Schema(name = "GroupRequest")
public record ServerGroupRequest(
        @NotBlank(message = "is required") @Pattern(regexp = ServerRules.ALIAS, message = "must be 1-64 letters, digits, '.', "
                + "'_' or '-', starting with a letter or digit") @Schema(maxLength = 64) String name,
        @Size(max = 500) String description,
        @NotNull(message = "is required (an empty list for a group without servers)") @Size(max = 1000)
        @Schema(description = "The servers by id or alias, in the order a rollout takes them; each once") List<String> servers) {
}
