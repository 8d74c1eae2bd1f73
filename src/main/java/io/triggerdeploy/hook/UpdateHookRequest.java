package io.triggerdeploy.hook;

import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** Switches a hook on or off, or changes its branch filter (an empty string removes it). */
@io.quarkus.runtime.annotations.RegisterForReflection
public record UpdateHookRequest(Boolean active,
                                @Size(max = 255) @Pattern(regexp = "[^\\s~^:?*\\[\\\\]*", message = "must be a branch or ref name") String branch) {
}
