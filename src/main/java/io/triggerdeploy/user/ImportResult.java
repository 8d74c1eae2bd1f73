package io.triggerdeploy.user;

import java.util.List;

/** What an import did: users created, and entries skipped with the reason. */
public record ImportResult(List<UserView> created, List<Skipped> skipped) {

    /** An entry that was not imported. */
    public record Skipped(int index, String username, String reason) {
    }
}
