package io.triggerdeploy.server;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** One entry of the old tool's servers.json. {@code type} becomes the environment. */
@RegisterForReflection
public record LegacyServerRecord(String name, String ip, String user, String alias, String path, String type,
                                 Integer port, String description) {
}
