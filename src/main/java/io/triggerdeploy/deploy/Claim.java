package io.triggerdeploy.deploy;

import io.vertx.mutiny.sqlclient.Row;

/**
 * A deployment this replica has claimed, with what the runner needs of its server: the sealed values of its secret
 * parameters and of the server's secret variables stay sealed until the command is built.
 */
record Claim(long id, long serverId, String alias, String host, int port, String user, String path, String command,
             int timeoutSeconds, String hostKey, String keyRef, String requestedBy, String sealedParameters,
             String secretVariables, DeploymentView view) {

    static Claim of(Row r) {
        return new Claim(r.getLong("id"), r.getLong("server_id"), r.getString("server_alias"), r.getString("host"),
                r.getInteger("port"), r.getString("ssh_user"), r.getString("path"), r.getString("command"),
                r.getInteger("timeout_seconds"), r.getString("host_key"), r.getString("private_key_ref"),
                r.getString("requested_by"), r.getString("secret_parameters"), r.getString("secret_variables"),
                DeploymentView.of(r));
    }
}
