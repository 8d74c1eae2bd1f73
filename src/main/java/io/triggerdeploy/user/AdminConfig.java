package io.triggerdeploy.user;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import java.util.Optional;

/** The bootstrap administrator ({@code trigger.admin.*}, i.e. TRIGGER_ADMIN_USERNAME / TRIGGER_ADMIN_PASSWORD). */
@ConfigMapping(prefix = "trigger.admin")
public interface AdminConfig {

    @WithDefault("admin")
    @Pattern(regexp = UserRules.USERNAME_PATTERN, message = "must be 3-64 letters, digits, '.', '_', '-' or '@'")
    String username();

    /** When absent, the replica that creates the admin generates a password and logs it once. */
    Optional<@Size(min = 8, max = 128, message = "must be 8 to 128 characters") String> password();
}
