package io.triggerdeploy.user;

import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** An admin creates a user. */
public record CreateUserRequest(
        @NotBlank @Pattern(regexp = UserRules.USERNAME_PATTERN, message = "must be 3-64 letters, digits, '.', '_', '-' or '@', starting with a letter or digit") @org.eclipse.microprofile.openapi.annotations.media.Schema(maxLength = 64) String username,
        @Email @Size(max = 254) @Schema(format = "email") String email,
        @NotNull @Size(min = UserRules.PASSWORD_MIN, max = UserRules.PASSWORD_MAX) String password,
        @NotNull @Pattern(regexp = UserRules.ROLE_PATTERN, message = "must be admin, operator or viewer") @org.eclipse.microprofile.openapi.annotations.media.Schema(maxLength = 8) String role,
        Boolean active) {

    @Override
    public String toString() {
        return "CreateUserRequest[username=" + username + ", role=" + role + "]";
    }
}
