package io.triggerdeploy.user;

import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** An admin changes a user; absent fields stay as they are, an empty email removes it. */
public record UpdateUserRequest(
        @Pattern(regexp = UserRules.ROLE_PATTERN, message = "must be admin, operator or viewer") @org.eclipse.microprofile.openapi.annotations.media.Schema(maxLength = 8) String role,
        @Email @Size(max = 254) @Schema(description = "an email address, or \"\" to remove it") String email,
        Boolean active) {
}
