package io.triggerdeploy.environment;

/** What an environment's name may be (servers name their environment with the same rule). */
public final class EnvironmentRules {

    public static final String NAME = "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$";

    private EnvironmentRules() {
    }
}
