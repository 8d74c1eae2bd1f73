package io.triggerdeploy.user;

import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.List;

/** What an import did: users created, and entries skipped with the reason. */
@RegisterForReflection
public record ImportResult(List<UserView> created, List<Skipped> skipped) {

    /** An entry that was not imported. */
    @RegisterForReflection
    public record Skipped(int index, String username, String reason) {
    }
}
