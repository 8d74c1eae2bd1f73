package io.triggerdeploy.hook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.access.Acting;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.common.Signatures;
import io.triggerdeploy.db.Transactions;
import io.triggerdeploy.deploy.DeploymentService;
import io.triggerdeploy.deploy.DeploymentView;
import io.triggerdeploy.deploy.RolloutStarter;
import io.triggerdeploy.deploy.TriggerCommand;
import io.triggerdeploy.server.ServerService;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/** Hooks: admin management, and the delivery path (verify, filter, refuse replays, queue a deployment). */
@ApplicationScoped
public class HookService {

    static final int MAX_BODY = 1024 * 1024;
    /** An instance field: a generator in a static field would be created at build time in a native image. */
    private final SecureRandom random = new SecureRandom();

    private final HookRepository repository;
    private final ServerService servers;
    private final DeploymentService deployments;
    private final Transactions transactions;
    private final AuditLog audit;
    private final ObjectMapper json;
    private final RolloutStarter rollouts;

    public HookService(HookRepository repository, ServerService servers, DeploymentService deployments,
                       Transactions transactions, AuditLog audit, ObjectMapper json, RolloutStarter rollouts) {
        this.repository = repository;
        this.servers = servers;
        this.deployments = deployments;
        this.transactions = transactions;
        this.audit = audit;
        this.json = json;
        this.rollouts = rollouts;
    }

    public Uni<List<HookView>> list() {
        return repository.list();
    }

    public Uni<HookView> get(String id) {
        return repository.find(id).map(v -> {
            if (v == null) {
                throw ProblemException.notFound("No hook " + id);
            }
            return v;
        });
    }

    /** A new hook (its secret is in this answer only); "hook.created" commits with it. */
    public Uni<HookView> create(CreateHookRequest req, Actor actor) {
        String id = "h" + random(12).toLowerCase(Locale.ROOT).replace('-', 'x').replace('_', 'y');
        String secret = random(32);
        boolean gitlab = req.kind().equals("gitlab");
        String header = req.kind().equals("hmac") ? (req.headerName() == null ? "X-Signature-256" : req.headerName()) : null;
        String algorithm = req.kind().equals("hmac") ? (req.algorithm() == null ? "sha256" : req.algorithm()) : null;
        String branch = req.branch() == null || req.branch().isBlank() ? null : req.branch().trim();
        String name = req.name().trim();
        boolean server = req.server() != null && !req.server().isBlank();
        if (server == (req.rollout() != null)) {
            throw ProblemException.invalid("server", server ? "give either server or rollout, not both"
                    : "is required (or rollout: the body of POST /api/rollouts without ref)");
        }
        Map<String, String> fixed = req.parameters() == null ? Map.of() : req.parameters();
        Map<String, String> mapped = req.eventParameters() == null ? Map.of() : req.eventParameters();
        if (!server) {
            if (!fixed.isEmpty() || !mapped.isEmpty()) {
                throw ProblemException.invalid(fixed.isEmpty() ? "event_parameters" : "parameters",
                        "a rollout hook takes its parameters in the rollout (rollout.parameters)");
            }
            JsonObject rollout = new JsonObject(req.rollout());
            if (rollout.containsKey("ref")) {
                throw ProblemException.invalid("rollout.ref", "comes from each push (its tag or branch); leave it out");
            }
            return rollouts.check(rollout, actor.name())
                    .chain(() -> transactions.run(tx -> repository.insert(tx, new HookRepository.NewHook(id, name, null, rollout,
                            req.kind(), gitlab ? null : secret, Signatures.sha256(secret), header, algorithm, branch, actor.name(), null, null))
                            .call(() -> audit.record(tx, actor, null, "hook.created", "hook", name, req.kind() + " hook " + id
                                    + " for a rollout over " + rollout.getValue("target") + (branch == null ? "" : ", branch " + branch), true))))
                    .chain(() -> get(id)).map(v -> v.withSecret(secret));
        }
        return servers.resolve(req.server().trim()).invoke(s -> HookParameters.check(s, fixed, mapped))
                .chain(s -> transactions.run(tx -> repository.insert(tx, new HookRepository.NewHook(id, name, s.id, null, req.kind(),
                        gitlab ? null : secret, Signatures.sha256(secret), header, algorithm, branch, actor.name(), fixed, mapped))
                        .call(() -> audit.record(tx, actor, null, "hook.created", "hook", name, req.kind() + " hook " + id
                                + " for server " + s.alias + (branch == null ? "" : ", branch " + branch)
                                + (fixed.isEmpty() ? "" : ", parameters " + String.join(", ", fixed.keySet()))
                                + (mapped.isEmpty() ? "" : ", from the event " + mapped), true))))
                .chain(() -> get(id))
                .map(v -> v.withSecret(secret));
    }

    public Uni<HookView> update(String id, UpdateHookRequest req, Actor actor) {
        String branch = req.branch() == null ? null : req.branch().trim();
        return transactions.run(tx -> repository.update(tx, id, req.active(), branch).call(c -> {
            if (c == null) {
                throw ProblemException.notFound("No hook " + id);
            }
            return audit.record(tx, actor, null, "hook.updated", "hook", c.name(),
                    (c.active() ? "active" : "disabled") + (c.branch() == null ? ", any branch" : ", branch " + c.branch()), true);
        })).chain(() -> get(id));
    }

    public Uni<HookView> delete(String id, Actor actor) {
        return get(id).call(v -> transactions.run(tx -> repository.delete(tx, id)
                .call(() -> audit.record(tx, actor, null, "hook.deleted", "hook", v.name(), v.id(), true))));
    }

    /** The newest deliveries of a hook, refused ones included (at most 100). */
    public Uni<List<HookDelivery>> deliveries(String id) {
        return get(id).chain(h -> repository.deliveries(h.id(), 100));
    }

    /** The newest deliveries of every hook (at most {@code limit} each), by hook id. */
    public Uni<Map<String, List<HookDelivery>>> recentDeliveries(int limit) {
        return repository.recentDeliveries(limit);
    }

    /** What a delivery did: a queued deployment, a started rollout, or why it was skipped. */
    public record Outcome(DeploymentView deployment, String skipped, String hookName, RolloutStarter.Started rollout) {

        Outcome(DeploymentView deployment, String skipped, String hookName) {
            this(deployment, skipped, hookName, null);
        }
    }

    /** Headers a delivery may carry, by name (case-insensitive lookup is the caller's). */
    public interface Headers extends Function<String, String> {
    }

    /**
     * One delivery, one transaction: the replay keys, the deployment and their audit records commit together, so a
     * failure leaves no trace but the audit record of the refusal. Every outcome is audited with {@code via hook:<name>}.
     */
    public Uni<Outcome> deliver(String id, Headers headers, String contentType, byte[] body, String clientIp) {
        if (id == null || !id.matches("[a-z0-9]{4,40}")) {
            return Uni.createFrom().failure(ProblemException.notFound("No such hook"));
        }
        if (body.length > MAX_BODY) {
            return Uni.createFrom().failure(new ProblemException(413, "Payload Too Large", "Hook payloads are limited to 1 MiB"));
        }
        return repository.stored(id).chain(h -> {
            if (h == null) {
                throw ProblemException.notFound("No such hook");
            }
            Actor actor = new Actor("hook:" + h.name(), null, clientIp);
            String delivery = deliveryId(h.kind(), headers, body);
            String event = event(h.kind(), headers);
            String details = " (delivery " + delivery + (event == null ? "" : ", event " + event) + ")";
            return Uni.createFrom().deferred(() -> accept(h, headers, contentType, body, actor))
                    .call(o -> o.skipped() == null ? Uni.createFrom().voidItem()
                            : audit.record(null, actor, actor.name(), "hook.delivery", "hook", h.id(), "skipped: " + o.skipped() + details, true))
                    .call(o -> repository.logDelivery(h.id(), delivery, event, o.skipped() != null ? "skipped" : o.rollout() != null ? "started" : "queued",
                            o.skipped() != null ? 204 : o.rollout() != null ? 201 : 202, o.skipped(), o.deployment() == null ? null : o.deployment().id(),
                            o.rollout() == null ? null : o.rollout().id()))
                    .onFailure(ProblemException.class).call(e -> audit.record(null, actor, actor.name(), "hook.delivery", "hook",
                            h.id(), "refused: " + e.getMessage() + details, false))
                    .onFailure().call(e -> repository.logDelivery(h.id(), delivery, event, "refused",
                            e instanceof ProblemException p ? p.status() : 500,
                            e instanceof ProblemException ? e.getMessage() : "the service failed; its log says why", null, null)
                            .onFailure().recoverWithNull());
        });
    }

    private Uni<Outcome> accept(HookRepository.StoredHook h, Headers headers, String contentType, byte[] body, Actor actor) {
        verify(h, headers, body);
        if (!h.active()) {
            throw ProblemException.forbidden("This hook is disabled");
        }
        String event = event(h.kind(), headers);
        if (h.kind().equals("github") && event != null && !event.equals("push")
                || h.kind().equals("gitlab") && event != null && !event.equals("Push Hook")) {
            return Uni.createFrom().item(new Outcome(null, "event '" + event + "' does not deploy", h.name()));
        }
        JsonNode payload = parse(contentType, body);
        String ref = payload == null ? null : text(payload, "ref");
        if (payload != null && payload.path("deleted").asBoolean(false)) {
            return Uni.createFrom().item(new Outcome(null, "branch deleted", h.name()));
        }
        if (h.branch() != null && !refMatches(h.branch(), ref)) {
            return Uni.createFrom().item(new Outcome(null, "ref " + (ref == null ? "(none)" : ref)
                    + " does not match " + h.branch(), h.name()));
        }
        String[] keys = replayKeys(h.kind(), headers, body, payload, ref);
        String version = version(ref, payload);
        java.time.OffsetDateTime committed = committedAt(payload);
        if (h.rollout() != null) {
            return rollout(h, keys, version, committed, note(ref, payload), actor);
        }
        TriggerCommand command = new TriggerCommand(String.valueOf(h.serverId()), note(ref, payload), actor.name(), null,
                "hook", actor.name(), actor, HookParameters.of(h, payload, version), null, Acting.named(h.createdBy()));
        return deployments.target(command).chain(target -> transactions.run(tx -> repository.claimKeys(tx, h.id(), keys)
                .call(() -> repository.recordCommit(tx, version, committed))
                .chain(() -> deployments.queue(tx, target, command))
                .call(d -> repository.markDelivered(tx, h.id(), keys, d.id()))
                .call(d -> audit.record(tx, actor, actor.name(), "hook.delivery", "hook", h.id(),
                        "queued deployment #" + d.id() + " (delivery " + keys[0] + ")", true))))
                .map(d -> new Outcome(d, null, h.name()));
    }

    /**
     * A delivery to a rollout hook: checked and planned first, then its replay keys taken, the rollout created and the
     * delivery recorded in one transaction (a second delivery of the same push waits for it and is refused; a refused
     * rollout takes no key, so a corrected retry goes through; nothing half-done survives a crash).
     */
    private Uni<Outcome> rollout(HookRepository.StoredHook h, String[] keys, String version, java.time.OffsetDateTime committed, String note,
                                 Actor actor) {
        return rollouts.prepare(h.rollout(), version, note, actor, h.createdBy(), "hook")
                .chain(p -> transactions.run(tx -> repository.claimKeys(tx, h.id(), keys)
                        .call(() -> repository.recordCommit(tx, version, committed))
                        .chain(() -> rollouts.start(tx, p))
                        .call(() -> repository.markDelivered(tx, h.id(), keys, null))
                        .call(r -> audit.record(tx, actor, actor.name(), "hook.delivery", "hook", h.id(),
                                "started rollout #" + r.id() + " (delivery " + keys[0] + ")", true))))
                .call(rollouts::announce)
                .map(r -> new Outcome(null, null, h.name(), r));
    }

    /** The event a GitHub or GitLab delivery names (null for a generic HMAC sender). */
    private static String event(String kind, Headers headers) {
        return kind.equals("github") ? headers.apply("X-GitHub-Event") : kind.equals("gitlab") ? headers.apply("X-Gitlab-Event") : null;
    }

    private void verify(HookRepository.StoredHook h, Headers headers, byte[] body) {
        boolean ok = switch (h.kind()) {
            case "github" -> Signatures.hmacMatches("sha256", h.secret(), body, headers.apply("X-Hub-Signature-256"));
            case "gitlab" -> Signatures.tokenMatches(h.secretSha256(), headers.apply("X-Gitlab-Token"));
            default -> Signatures.hmacMatches(h.algorithm(), h.secret(), body, headers.apply(h.headerName()));
        };
        if (!ok) {
            throw ProblemException.unauthorized("Missing or wrong signature");
        }
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

    /** The version a push deploys: the tag of a tag push, else the pushed commit; null when the payload has neither. */
    static String version(String ref, JsonNode payload) {
        if (ref != null && ref.startsWith("refs/tags/") && ref.length() > 10) {
            return ref.substring(10);
        }
        if (payload == null) {
            return null;
        }
        String sha = text(payload, "after");
        if (sha == null || !sha.matches("[0-9a-f]{7,64}") || sha.matches("0+")) {
            sha = text(payload, "checkout_sha");
        }
        return sha != null && sha.matches("[0-9a-f]{7,64}") && !sha.matches("0+") ? sha : null;
    }

    /**
     * When the pushed commit was made: GitHub's {@code head_commit.timestamp}, GitLab's timestamp of the commit that is
     * {@code checkout_sha} (else the last one); null when the payload has none that reads as a time.
     */
    static java.time.OffsetDateTime committedAt(JsonNode payload) {
        if (payload == null) {
            return null;
        }
        String at = payload.path("head_commit").path("timestamp").asText(null);
        JsonNode commits = payload.path("commits");
        if (at == null && commits.isArray() && !commits.isEmpty()) {
            String sha = text(payload, "checkout_sha");
            JsonNode pick = commits.get(commits.size() - 1);
            for (JsonNode c : commits) {
                if (sha != null && sha.equals(c.path("id").asText(null))) {
                    pick = c;
                }
            }
            at = pick.path("timestamp").asText(null);
        }
        try {
            return at == null ? null : java.time.OffsetDateTime.parse(at);
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
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
