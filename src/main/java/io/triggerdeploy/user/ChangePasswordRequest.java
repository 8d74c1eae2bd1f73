package io.triggerdeploy.user;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/** A user changes their own password, proving they know the current one. */
public record ChangePasswordRequest(@NotNull @Size(max = 1024) String currentPassword,
                                    @NotNull @Size(min = UserRules.PASSWORD_MIN, max = UserRules.PASSWORD_MAX) String newPassword) {
    @Override
    public String toString() {
        return "ChangePasswordRequest[***]";
    }
}
