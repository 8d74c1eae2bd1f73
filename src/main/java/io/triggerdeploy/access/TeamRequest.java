package io.triggerdeploy.access;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** A team's name (unique regardless of case) and description. */
public record TeamRequest(
        @NotBlank(message = "is required") @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9._ -]{0,63}",
                message = "must be 1-64 letters, digits, spaces, '.', '_' or '-', starting with a letter or digit") String name,
        @Size(max = 500) String description) {
}
