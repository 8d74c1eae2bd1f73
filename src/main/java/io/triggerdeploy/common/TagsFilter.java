package io.triggerdeploy.common;

import io.quarkus.smallrye.openapi.OpenApiFilter;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Groups the API document's operations by what they act on, named as the API names it ({@code servers},
 * {@code deployments}, {@code me}: the first segment after {@code /api/}), not by the Java class that serves them
 * ("Server Resource"); client generators make one API class per tag. The old tool's routes stay together as
 * {@code legacy}, webhook deliveries as {@code hooks}. Runs when the jar is built.
 */
@OpenApiFilter(stages = OpenApiFilter.RunStage.BUILD)
public class TagsFilter implements OASFilter {

    private static final String LEGACY = "legacy";

    /** What each tag's operations act on, for the document's readers (Swagger UI shows it above the operations). */
    private static final Map<String, String> DESCRIPTIONS = Map.ofEntries(
            Map.entry("analytics", "Delivery figures over time: deployments, success rates, durations, failure reasons"),
            Map.entry("approvals", "Deployments waiting for an approval the caller may give"),
            Map.entry("audit", "The audit trail: who did what, from where, with what result (admins)"),
            Map.entry("chat", "Chat commands (Slack slash commands, signed by Slack)"),
            Map.entry("deployments", "Trigger, follow, cancel, approve, promote and re-run deployments; their logs and history"),
            Map.entry("environments", "Environments: policy for their servers (approvals, freezes, deploy hours, queue policy)"),
            Map.entry("fleet", "What runs where: the release live on each server of a group, environment or selector"),
            Map.entry("grants", "Who may view, deploy, approve or manage which environment or server"),
            Map.entry("group-mappings", "Directory and identity-provider groups mapped to roles and teams"),
            Map.entry("groups", "Server groups: named, ordered sets of servers that rollouts target"),
            Map.entry("hooks", "Inbound webhooks (GitHub, GitLab, generic HMAC) that trigger deployments"),
            Map.entry(LEGACY, "The old tool's routes, kept for the clients written against them"),
            Map.entry("login", "Sign in with a username or email and password (and a second factor when enrolled)"),
            Map.entry("me", "The signed-in account: profile, password, second factor, Slack link, sessions"),
            Map.entry("notifications", "Notification channels: email, Telegram and signed outgoing webhooks"),
            Map.entry("schedules", "Deployments that run at a time or on a cron schedule"),
            Map.entry("search", "Search every stored deployment log"),
            Map.entry("secrets", "Secrets at rest: re-encryption under a new key (admins)"),
            Map.entry("servers", "Registered servers: where to deploy, over SSH with a pinned host key; labels; import"),
            Map.entry("services", "Watched services: HTTP and TCP checks and their history"),
            Map.entry("slack", "Links between Slack users and accounts (admins)"),
            Map.entry("teams", "Teams of users, the holders of grants"),
            Map.entry("tokens", "API tokens for machines and CI, shown once, revocable"),
            Map.entry("users", "User accounts and their roles (admins)"));

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        Map<String, Boolean> used = new TreeMap<>();
        openAPI.getPaths().getPathItems().forEach((path, item) -> item.getOperations().values().forEach(op -> {
            String tag = tagOf(path, op);
            op.setTags(new ArrayList<>(List.of(tag)));
            used.put(tag, Boolean.TRUE);
        }));
        openAPI.setTags(new ArrayList<>(used.keySet().stream().map(t -> OASFactory.createTag().name(t)
                .description(DESCRIPTIONS.getOrDefault(t, "Operations under /api/" + t))).toList()));
    }

    static String tagOf(String path, Operation op) {
        boolean legacy = op.getTags() != null && op.getTags().stream().anyMatch(t -> t.toLowerCase().startsWith(LEGACY));
        String[] segments = path.replaceAll("^/+", "").split("/");
        if (legacy || !segments[0].equals("api")) {
            return segments[0].equals("hooks") ? "hooks" : LEGACY;
        }
        if (segments.length > 2 && segments[1].equals("admin")) {
            return segments[2];
        }
        return segments.length > 1 ? segments[1] : "api";
    }
}
