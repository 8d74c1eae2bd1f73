package io.triggerdeploy.user;

import io.quarkus.runtime.annotations.RegisterForReflection;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;

/** What an import did: users created, and entries skipped with the reason. */
@RegisterForReflection
@Schema(name = "UserImportResult")
public record ImportResult(List<UserView> created, List<Skipped> skipped) {

    /** An entry that was not imported. */
    @RegisterForReflection
    @Schema(name = "UserImportSkipped")
    public record Skipped(int index, String username, String reason) {
    }
}
