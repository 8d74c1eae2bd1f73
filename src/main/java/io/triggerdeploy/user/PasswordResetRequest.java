package io.triggerdeploy.user;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/** An admin sets a new password for a user. */
public record PasswordResetRequest(@NotNull @Size(min = UserRules.PASSWORD_MIN, max = UserRules.PASSWORD_MAX) String password,
                                   /** Also revoke the user's API tokens (the reset means the account may be compromised). */
                                   Boolean revokeApiTokens) {
    @Override
    public String toString() {
        return "PasswordResetRequest[***]";
    }
}
