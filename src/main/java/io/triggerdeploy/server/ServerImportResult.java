package io.triggerdeploy.server;

import io.quarkus.runtime.annotations.RegisterForReflection;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;

/** What a servers.json import did. */
@RegisterForReflection
public record ServerImportResult(List<ServerView> created, List<Skipped> skipped) {

    /** An entry that was not imported, and why. */
    @RegisterForReflection
    @Schema(name = "ServerImportSkipped")
    public record Skipped(int index, String name, String reason) {
    }
}
