package io.triggerdeploy.server;

import io.quarkus.runtime.annotations.RegisterForReflection;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** One entry of the old tool's servers.json. {@code type} becomes the environment. */
@RegisterForReflection
public record LegacyServerRecord(@Schema(maxLength = 100) String name, @Schema(maxLength = 253) String ip,
                                 @Schema(maxLength = 32) String user, @Schema(maxLength = 64) String alias,
                                 @Schema(maxLength = 1024) String path, @Schema(maxLength = 64) String type,
                                 Integer port, @Schema(maxLength = 1000) String description) {
}
