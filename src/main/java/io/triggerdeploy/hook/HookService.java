package io.triggerdeploy.hook;

import io.triggerdeploy.common.Signatures;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.common.Rows;
import io.triggerdeploy.deploy.DeploymentService;
import io.triggerdeploy.deploy.DeploymentView;
import io.triggerdeploy.server.ServerService;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** Hooks: admin management, and the delivery path (verify, filter, refuse replays, queue a deployment). */
@ApplicationScoped
public class HookService {

    static final int MAX_BODY = 1024 * 1024;
    /** An instance field: a generator in a static field would be created at build time in a native image. */
    private final SecureRandom random = new SecureRandom();

    private final Pool pool;
    private final ServerService servers;
    private final DeploymentService deployments;
    private final ObjectMapper json;

    public HookService(Pool pool, ServerService servers, DeploymentService deployments, ObjectMapper json) {
        this.pool = pool;
        this.servers = servers;
        this.deployments = deployments;
        this.json = json;
    }

    private static final String FROM = " FROM hooks h JOIN servers s ON s.id = h.server_id ";

    public Uni<List<HookView>> list() {
        return pool.query("SELECT " + HookView.COLUMNS + FROM + "ORDER BY lower(h.name)").execute()
                .map(rows -> {
                    List<HookView> out = new ArrayList<>();
                    rows.forEach(r -> out.add(HookView.of(r)));
                    return out;
                });
    }

    public Uni<HookView> get(String id) {
        return pool.preparedQuery("SELECT " + HookView.COLUMNS + FROM + "WHERE h.id = $1").execute(Tuple.of(id))
                .map(rows -> {
                    HookView v = Rows.first(rows, HookView::of);
                    if (v == null) {
                        throw ProblemException.notFound("No hook " + id);
                    }
                    return v;
                });
    }

    public Uni<HookView> create(CreateHookRequest req, String createdBy) {
        String id = "h" + random(12).toLowerCase(Locale.ROOT).replace('-', 'x').replace('_', 'y');
        String secret = random(32);
        boolean gitlab = req.kind().equals("gitlab");
        String header = req.kind().equals("hmac") ? (req.headerName() == null ? "X-Signature-256" : req.headerName()) : null;
        String algorithm = req.kind().equals("hmac") ? (req.algorithm() == null ? "sha256" : req.algorithm()) : null;
        String branch = req.branch() == null || req.branch().isBlank() ? null : req.branch().trim();
        return servers.resolve(req.server().trim()).chain(s -> pool.preparedQuery(
                        "INSERT INTO hooks (id, name, server_id, kind, secret, secret_sha256, header_name, algorithm, branch, created_by) "
                                + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
                .execute(Tuple.from(new Object[]{id, req.name().trim(), s.id, req.kind(), gitlab ? null : secret,
                        Signatures.sha256(secret), header, algorithm, branch, createdBy})))
                .chain(() -> get(id))
                .map(v -> v.withSecret(secret));
    }

    public Uni<HookView> update(String id, UpdateHookRequest req) {
        String branch = req.branch() == null ? null : req.branch().trim();
        return pool.preparedQuery("UPDATE hooks SET active = coalesce($2, active), "
                        + "branch = CASE WHEN $3::text IS NULL THEN branch WHEN $3 = '' THEN NULL ELSE $3 END WHERE id = $1")
                .execute(Tuple.of(id, req.active(), branch))
                .chain(r -> {
                    if (r.rowCount() == 0) {
                        throw ProblemException.notFound("No hook " + id);
                    }
                    return get(id);
                });
    }

    public Uni<HookView> delete(String id) {
        return get(id).call(v -> pool.preparedQuery("DELETE FROM hooks WHERE id = $1").execute(Tuple.of(id)));
    }

    /** What a delivery did: a queued deployment, or why it was skipped. */
    public record Outcome(DeploymentView deployment, String skipped, String hookName) {
    }

    /** Headers a delivery may carry, by name (case-insensitive lookup is the caller's). */
    public interface Headers extends Function<String, String> {
    }

    public Uni<Outcome> deliver(String id, Headers headers, String contentType, byte[] body, String clientIp) {
        if (id == null || !id.matches("[a-z0-9]{4,40}")) {
            return Uni.createFrom().failure(ProblemException.notFound("No such hook"));
        }
        if (body.length > MAX_BODY) {
            return Uni.createFrom().failure(new ProblemException(413, "Payload Too Large", "Hook payloads are limited to 1 MiB"));
        }
        return pool.preparedQuery("SELECT h.*, s.alias AS server_alias FROM hooks h JOIN servers s ON s.id = h.server_id WHERE h.id = $1")
                .execute(Tuple.of(id))
                .chain(rows -> {
                    Row h = Rows.first(rows, r -> r);
                    if (h == null) {
                        throw ProblemException.notFound("No such hook");
                    }
                    verify(h, headers, body);
                    if (!h.getBoolean("active")) {
                        throw ProblemException.forbidden("This hook is disabled");
                    }
                    String kind = h.getString("kind");
                    String name = h.getString("name");
                    String event = kind.equals("github") ? headers.apply("X-GitHub-Event")
                            : kind.equals("gitlab") ? headers.apply("X-Gitlab-Event") : null;
                    if (kind.equals("github") && event != null && !event.equals("push")) {
                        return Uni.createFrom().item(new Outcome(null, "event '" + event + "' does not deploy", name));
                    }
                    if (kind.equals("gitlab") && event != null && !event.equals("Push Hook")) {
                        return Uni.createFrom().item(new Outcome(null, "event '" + event + "' does not deploy", name));
                    }
                    JsonNode payload = parse(contentType, body);
                    String ref = payload == null ? null : text(payload, "ref");
                    if (payload != null && payload.path("deleted").asBoolean(false)) {
                        return Uni.createFrom().item(new Outcome(null, "branch deleted", name));
                    }
                    String branch = h.getString("branch");
                    if (branch != null && !refMatches(branch, ref)) {
                        return Uni.createFrom().item(new Outcome(null, "ref " + (ref == null ? "(none)" : ref)
                                + " does not match " + branch, name));
                    }
                    String[] keys = replayKeys(kind, headers, body, payload, ref);
                    String note = note(ref, payload);
                    long serverId = h.getLong("server_id");
                    return claim(id, keys).chain(() -> deployments.trigger(String.valueOf(serverId), note, "hook:" + name,
                                    null, "hook", clientIp)
                            .onFailure().call(() -> pool.preparedQuery("DELETE FROM hook_deliveries WHERE hook_id = $1 AND delivery_id = ANY($2)")
                                    .execute(Tuple.of(id, keys)))
                            .call(d -> pool.preparedQuery("WITH d AS (UPDATE hook_deliveries SET deployment_id = $3 "
                                            + "WHERE hook_id = $1 AND delivery_id = ANY($2)) UPDATE hooks SET last_delivery_at = now() WHERE id = $1")
                                    .execute(Tuple.of(id, keys, d.id())))
                            .map(d -> new Outcome(d, null, name)));
                });
    }

    private void verify(Row h, Headers headers, byte[] body) {
        boolean ok = switch (h.getString("kind")) {
            case "github" -> Signatures.hmacMatches("sha256", h.getString("secret"), body, headers.apply("X-Hub-Signature-256"));
            case "gitlab" -> Signatures.tokenMatches(h.getString("secret_sha256"), headers.apply("X-Gitlab-Token"));
            default -> Signatures.hmacMatches(h.getString("algorithm"), h.getString("secret"), body,
                    headers.apply(h.getString("header_name")));
        };
        if (!ok) {
            throw ProblemException.unauthorized("Missing or wrong signature");
        }
    }

    /**
     * Claims every key of a delivery at once: its delivery id, the SHA-256 of the signed body (the signature covers
     * the body, not the headers, so a captured delivery resent with a fresh id is the same body) and, for a push,
     * the ref and the commit it moves to. Any key seen before (kept 90 days) makes the whole delivery a replay.
     */
    private Uni<Void> claim(String hookId, String[] keys) {
        return pool.withTransaction(c -> c.preparedQuery("INSERT INTO hook_deliveries (hook_id, delivery_id) "
                                + "SELECT $1, k FROM unnest($2::text[]) AS k ON CONFLICT DO NOTHING")
                        .execute(Tuple.of(hookId, keys))
                        .map(r -> {
                            if (r.rowCount() < keys.length) {
                                // the transaction rolls back: a refused replay leaves nothing behind
                                throw ProblemException.conflict("Delivery " + keys[0] + " was already received; replays are refused");
                            }
                            return null;
                        }))
                .replaceWithVoid();
    }

    static String[] replayKeys(String kind, Headers headers, byte[] body, JsonNode payload, String ref) {
        java.util.LinkedHashSet<String> keys = new java.util.LinkedHashSet<>();
        keys.add(deliveryId(kind, headers, body));
        keys.add("sha256:" + Signatures.sha256(body));
        String after = payload == null ? null : text(payload, "after");
        if (ref != null && after != null && after.matches("[0-9a-f]{7,64}") && !after.matches("0+")) {
            String push = "push:" + after + "@" + ref;
            keys.add(push.length() <= 128 ? push : "push:" + Signatures.sha256(push.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        return keys.toArray(String[]::new);
    }

    static String deliveryId(String kind, Headers headers, byte[] body) {
        String id = switch (kind) {
            case "github" -> headers.apply("X-GitHub-Delivery");
            case "gitlab" -> headers.apply("X-Gitlab-Event-UUID");
            default -> headers.apply("X-Delivery-Id");
        };
        if (id != null && !id.isBlank() && id.length() <= 128) {
            return id.trim();
        }
        // no delivery id: the payload itself (a push carries its commit ids and times)
        return "sha256:" + Signatures.sha256(body);
    }

    static boolean refMatches(String branch, String ref) {
        if (ref == null) {
            return false;
        }
        return ref.equals(branch) || ref.equals("refs/heads/" + branch) || ref.equals("refs/tags/" + branch);
    }

    private JsonNode parse(String contentType, byte[] body) {
        try {
            if (contentType != null && contentType.startsWith("application/x-www-form-urlencoded")) {
                for (String pair : new String(body, StandardCharsets.UTF_8).split("&")) {
                    if (pair.startsWith("payload=")) {
                        return json.readTree(URLDecoder.decode(pair.substring(8), StandardCharsets.UTF_8));
                    }
                }
                return null;
            }
            return body.length == 0 ? null : json.readTree(body);
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || !v.isTextual() ? null : v.asText();
    }

    /** "push to refs/heads/main at 1a2b3c4: first line of the message" (GitHub and GitLab payloads). */
    private static String note(String ref, JsonNode payload) {
        if (payload == null) {
            return "webhook delivery";
        }
        String sha = text(payload, "after");
        if (sha == null) {
            sha = text(payload, "checkout_sha");
        }
        String message = payload.path("head_commit").path("message").asText(null);
        if (message == null && payload.path("commits").isArray() && !payload.path("commits").isEmpty()) {
            JsonNode commits = payload.path("commits");
            message = commits.get(commits.size() - 1).path("message").asText(null);
        }
        StringBuilder sb = new StringBuilder("push");
        if (ref != null) {
            sb.append(" to ").append(ref);
        }
        if (sha != null && sha.length() >= 7) {
            sb.append(" at ").append(sha, 0, 7);
        }
        if (message != null && !message.isBlank()) {
            String first = message.strip().lines().findFirst().orElse("");
            sb.append(": ").append(first.length() > 200 ? first.substring(0, 200) : first);
        }
        return sb.toString();
    }

    private String random(int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
