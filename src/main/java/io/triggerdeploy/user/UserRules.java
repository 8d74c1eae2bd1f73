package io.triggerdeploy.user;

/** Input rules shared by the API and configuration. */
public final class UserRules {
    public static final String USERNAME_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._@-]{2,63}$";
    public static final int PASSWORD_MIN = 8;
    public static final int PASSWORD_MAX = 128;
    public static final String ROLE_PATTERN = "^(admin|operator|viewer)$";

    private UserRules() {
    }
}
