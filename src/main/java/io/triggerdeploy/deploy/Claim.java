package io.triggerdeploy.deploy;

import io.triggerdeploy.server.StepsSpec;
import io.triggerdeploy.ssh.SshTarget;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;

/**
 * A deployment this replica has claimed, with what the runner needs of its server: the sealed values of its secret
 * parameters and of the server's secret variables stay sealed until the command is built; {@code steps} are the
 * server's steps around the deploy command (null: none), {@code jump} the jump host it is reached through (null: none).
 */
record Claim(long id, long serverId, String alias, String host, int port, String user, String path, String command,
             int timeoutSeconds, String hostKey, String keyRef, String requestedBy, String sealedParameters,
             String secretVariables, StepsSpec steps, SshTarget jump, DeploymentView view, Hooks hooks) {

    static Claim of(Row r) {
        SshTarget jump = jump(r);
        return new Claim(r.getLong("id"), r.getLong("server_id"), r.getString("server_alias"), r.getString("host"),
                r.getInteger("port"), r.getString("ssh_user"), r.getString("path"), r.getString("command"),
                r.getInteger("timeout_seconds"), r.getString("host_key"), r.getString("private_key_ref"),
                r.getString("requested_by"), r.getString("secret_parameters"), r.getString("secret_variables"),
                StepsSpec.read(r.getString("server_steps")), jump, DeploymentView.of(r), Hooks.of(r.getValue("hooks")));
    }

    /** The jump host of a row that joined it as {@code jump_*} columns; null when there is none. */
    static SshTarget jump(Row r) {
        return r.getString("jump_host") == null ? null : new SshTarget(r.getString("jump_host"),
                r.getInteger("jump_port"), r.getString("jump_user"), r.getString("jump_host_key"), r.getString("jump_key_ref"));
    }

    /** A rollout's per-host commands: {@code before} the deployment, {@code after} it succeeded; each may be null. */
    record Hooks(Hook before, Hook after) {
        static Hooks of(Object value) {
            if (!(value instanceof JsonObject json) || json.isEmpty()) {
                return null;
            }
            return new Hooks(Hook.of(json.getJsonObject("before")), Hook.of(json.getJsonObject("after")));
        }
    }

    /** One command and where it runs: the server {@code serverId} (its path), or the host itself when null. */
    record Hook(String command, Long serverId) {
        static Hook of(JsonObject json) {
            return json == null ? null : new Hook(json.getString("command"), json.getLong("server_id"));
        }
    }

    /** Another server a hook runs on: its alias, how to reach it, and the directory its commands run in. */
    record HookTarget(String alias, SshTarget target, String path) {
    }

    /** Where the commands run: the server, through its jump host when it has one. */
    SshTarget target() {
        return new SshTarget(host, port, user, hostKey, keyRef, jump);
    }
}
