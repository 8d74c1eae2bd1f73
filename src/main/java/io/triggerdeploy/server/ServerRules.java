package io.triggerdeploy.server;

import io.triggerdeploy.environment.EnvironmentRules;

/** Input patterns for server fields. */
public final class ServerRules {
    public static final String ALIAS = "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$";
    public static final String HOST = "^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)$";
    public static final String USER = "^[A-Za-z_][A-Za-z0-9._-]{0,31}$";
    public static final String ENVIRONMENT = EnvironmentRules.NAME;
    public static final String DEFAULT_COMMAND = "./deploy.sh";

    private ServerRules() {
    }
}
