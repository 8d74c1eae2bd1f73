package io.triggerdeploy.deploy;

import io.triggerdeploy.server.StepsSpec;
import io.triggerdeploy.ssh.SshTarget;
import io.vertx.mutiny.sqlclient.Row;

/**
 * A deployment this replica has claimed, with what the runner needs of its server: the sealed values of its secret
 * parameters and of the server's secret variables stay sealed until the command is built; {@code steps} are the
 * server's steps around the deploy command (null: none), {@code jump} the jump host it is reached through (null: none).
 */
record Claim(long id, long serverId, String alias, String host, int port, String user, String path, String command,
             int timeoutSeconds, String hostKey, String keyRef, String requestedBy, String sealedParameters,
             String secretVariables, StepsSpec steps, SshTarget jump, DeploymentView view) {

    static Claim of(Row r) {
        SshTarget jump = r.getString("jump_host") == null ? null : new SshTarget(r.getString("jump_host"),
                r.getInteger("jump_port"), r.getString("jump_user"), r.getString("jump_host_key"), r.getString("jump_key_ref"));
        return new Claim(r.getLong("id"), r.getLong("server_id"), r.getString("server_alias"), r.getString("host"),
                r.getInteger("port"), r.getString("ssh_user"), r.getString("path"), r.getString("command"),
                r.getInteger("timeout_seconds"), r.getString("host_key"), r.getString("private_key_ref"),
                r.getString("requested_by"), r.getString("secret_parameters"), r.getString("secret_variables"),
                StepsSpec.read(r.getString("server_steps")), jump, DeploymentView.of(r));
    }

    /** Where the commands run: the server, through its jump host when it has one. */
    SshTarget target() {
        return new SshTarget(host, port, user, hostKey, keyRef, jump);
    }
}
