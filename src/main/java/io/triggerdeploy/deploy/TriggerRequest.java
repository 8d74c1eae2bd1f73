package io.triggerdeploy.deploy;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/** Asks for a deployment of a server given by alias, host or id. */
public record TriggerRequest(@NotBlank @Size(max = 253) String server, @Size(max = 500) String note) {
}
