package io.triggerdeploy.monitor;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.common.AddressPolicy;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.common.Workers;
import io.triggerdeploy.db.Transactions;
import io.triggerdeploy.server.ServerService;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.triggerdeploy.common.Text.blankToNull;

/**
 * Watched services ("watches": the HTTP or TCP endpoints monitor checks, named so that the domain noun and the
 * layer suffix no longer collide): definitions, and the import of the old tool's services.json.
 */
@ApplicationScoped
public class WatchService {

    static final int HISTORY = 50;

    private final WatchRepository repository;
    private final ServerService servers;
    private final Transactions transactions;
    private final AuditLog audit;
    private final NetworkPolicy network;

    public WatchService(WatchRepository repository, ServerService servers, Transactions transactions, AuditLog audit,
                        NetworkPolicy network) {
        this.repository = repository;
        this.servers = servers;
        this.transactions = transactions;
        this.audit = audit;
        this.network = network;
    }

    public Uni<List<WatchView>> list() {
        return repository.list(HISTORY);
    }

    /** Every watch with its last {@code history} checks (0: status only). */
    public Uni<List<WatchView>> list(int history) {
        return repository.list(history);
    }

    public Uni<WatchView> get(long id) {
        return repository.find(id, HISTORY).map(v -> {
            if (v == null) {
                throw ProblemException.notFound("No service " + id);
            }
            return v;
        });
    }

    public Uni<WatchView> create(WatchRequest req, Actor actor) {
        if (req.name() == null || req.name().isBlank()) {
            throw ProblemException.invalid("name", "is required");
        }
        if (req.kind() == null) {
            throw ProblemException.invalid("kind", "is required (http or tcp)");
        }
        String target = target(req.kind(), req.target());
        String name = req.name().trim();
        return allowed(req.kind(), target).chain(() -> serverId(req.server())).chain(sid -> transactions.run(tx -> repository.insert(tx, new Object[]{name, req.kind(), target,
                        "http".equals(req.kind()) ? (req.expectedStatuses() == null ? "200-299" : req.expectedStatuses()) : null,
                        "http".equals(req.kind()) ? blankToNull(req.bodyContains()) : null,
                        req.intervalSeconds() == null ? 60 : req.intervalSeconds(),
                        req.timeoutMs() == null ? 5000 : req.timeoutMs(), req.slowMs(), sid, blankToNull(req.description()),
                        req.active() == null || req.active()})
                        .call(id -> audit.record(tx, actor, null, "service.created", "service", name, req.kind() + " " + target, true))))
                .chain(this::get);
    }

    public Uni<WatchView> update(long id, WatchRequest req, Actor actor) {
        return get(id).chain(cur -> {
            if (req.kind() != null && !req.kind().equals(cur.kind())) {
                throw ProblemException.invalid("kind", "cannot change; create a new service instead");
            }
            String target = req.target() == null ? cur.target() : target(cur.kind(), req.target());
            Uni<Long> sid = req.server() == null ? Uni.createFrom().item(cur.serverId())
                    : req.server().isBlank() ? Uni.createFrom().nullItem() : serverId(req.server());
            String name = req.name() == null ? cur.name() : req.name().trim();
            boolean active = req.active() == null ? cur.active() : req.active();
            return allowed(cur.kind(), target).chain(() -> sid).chain(server -> transactions.run(tx -> repository.update(tx, new Object[]{id, name, target,
                            req.expectedStatuses() == null ? cur.expectedStatuses() : req.expectedStatuses(),
                            req.bodyContains() == null ? cur.bodyContains() : blankToNull(req.bodyContains()),
                            req.intervalSeconds() == null ? cur.intervalSeconds() : req.intervalSeconds(),
                            req.timeoutMs() == null ? cur.timeoutMs() : req.timeoutMs(),
                            req.slowMs() == null ? cur.slowMs() : req.slowMs(), server,
                            req.description() == null ? cur.description() : blankToNull(req.description()),
                            active}).call(() -> audit.record(tx, actor, null, "service.updated", "service", name,
                            cur.kind() + " " + target + (active ? "" : " (inactive)"), true))))
                    .chain(() -> get(id));
        });
    }

    public Uni<WatchView> delete(long id, Actor actor) {
        return get(id).call(v -> transactions.run(tx -> repository.delete(tx, id)
                .call(() -> audit.record(tx, actor, null, "service.deleted", "service", v.name(), null, true))));
    }

    /** What an import did. */
    @io.quarkus.runtime.annotations.RegisterForReflection
    @Schema(name = "ServiceImportResult")
    public record ImportResult(List<WatchView> created, List<Skipped> skipped) {
        /** An entry not imported, and why. */
        @io.quarkus.runtime.annotations.RegisterForReflection
        @Schema(name = "ServiceImportSkipped")
        public record Skipped(int index, String name, String reason) {
        }
    }

    /**
     * The old tool's services.json, in either shape: a list of {name, type, url, expected_status, timeout, ...} or an
     * object with local_services (Docker: not supported, reported) and remote_services (http with url, tcp with
     * host and port). Existing names are skipped.
     */
    @SuppressWarnings("unchecked")
    public Uni<ImportResult> importLegacy(Object body, Actor actor) {
        List<Object> entries = new ArrayList<>();
        if (body instanceof List<?> l) {
            entries.addAll(l);
        } else if (body instanceof Map<?, ?> m) {
            for (String key : List.of("local_services", "remote_services")) {
                if (m.get(key) instanceof List<?> l) {
                    entries.addAll(l);
                }
            }
        } else {
            throw ProblemException.badRequest("Expected the services.json array, or an object with local_services and remote_services");
        }
        List<WatchView> created = new ArrayList<>();
        List<ImportResult.Skipped> skipped = new ArrayList<>();
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (int i = 0; i < entries.size(); i++) {
            int index = i;
            if (!(entries.get(i) instanceof Map<?, ?> raw)) {
                skipped.add(new ImportResult.Skipped(i, null, "not an object"));
                continue;
            }
            Map<String, Object> e = (Map<String, Object>) raw;
            String name = e.get("name") == null ? null : e.get("name").toString();
            String type = e.get("type") == null ? "http" : e.get("type").toString().toLowerCase();
            WatchRequest req;
            try {
                req = legacyEntry(e, name, type);
            } catch (ProblemException p) {
                skipped.add(new ImportResult.Skipped(index, name, p.getMessage()));
                continue;
            }
            WatchRequest r = req;
            chain = chain.chain(() -> create(r, actor).invoke(created::add)
                    .onFailure(f -> f instanceof ProblemException || isDuplicate(f)).recoverWithItem(f -> {
                        skipped.add(new ImportResult.Skipped(index, name, isDuplicate(f)
                                ? "a service named '" + name + "' already exists; nothing was overwritten" : f.getMessage()));
                        return null;
                    })
                    .replaceWithVoid());
        }
        // each entry went in with its own record; this one sums the import up
        return chain.map(x -> new ImportResult(created, skipped)).call(r -> audit.record(actor, "service.imported", "service", null,
                "created " + r.created().size() + ", skipped " + r.skipped().size()));
    }

    /** One entry of the old tool's file as a request, checked like the API's; a problem names what is wrong. */
    private static WatchRequest legacyEntry(Map<String, Object> e, String name, String type) {
        Integer timeoutMs = e.get("timeout") instanceof Number n ? (int) Math.min(60000, Math.max(100, n.doubleValue() * 1000)) : null;
        WatchRequest req;
        if (type.equals("docker")) {
            throw ProblemException.badRequest("Docker container checks are not supported; add an http or tcp check of its port");
        } else if (type.equals("tcp")) {
            req = new WatchRequest(name, "tcp", e.get("host") + ":" + e.get("port"), null, null, null, timeoutMs, null,
                    null, str(e.get("description")), true);
        } else {
            String expected = e.get("expected_status") == null ? null : e.get("expected_status").toString();
            req = new WatchRequest(name, "http", str(e.get("url")), expected, null, null, timeoutMs, null, null,
                    str(e.get("description")), true);
        }
        if (name == null || name.isBlank()) {
            throw ProblemException.invalid("name", "is required");
        }
        if (req.expectedStatuses() != null && !req.expectedStatuses().matches("\\d{3}(-\\d{3})?(,\\d{3}(-\\d{3})?)*")) {
            throw ProblemException.invalid("expected_status", "must be a status code");
        }
        target(req.kind(), req.target());
        return req;
    }

    private static boolean isDuplicate(Throwable f) {
        return f instanceof io.vertx.pgclient.PgException pe && "23505".equals(pe.getSqlState());
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }

    private Uni<Long> serverId(String ref) {
        if (ref == null || ref.isBlank()) {
            return Uni.createFrom().nullItem();
        }
        return servers.resolve(ref.trim()).map(s -> s.id);
    }

    /**
     * A target the check could never reach (its address refused by {@code trigger.monitor.allow-networks} /
     * {@code deny-networks}) is refused when saved, 400 naming {@code target}, instead of being DOWN forever; a host that
     * does not resolve yet may exist by the time it is checked, so it is not the policy's to refuse.
     */
    private Uni<Void> allowed(String kind, String target) {
        String host = "tcp".equals(kind) ? target.substring(0, target.lastIndexOf(':')) : URI.create(target).getHost();
        String bare = host.replace("[", "").replace("]", "");
        return Workers.run(() -> network.resolve(bare)).replaceWithVoid()
                .onFailure(AddressPolicy.Refused.class).transform(e -> ProblemException.invalid("target", e.getMessage()))
                .onFailure(IllegalStateException.class).recoverWithNull();
    }

    static String target(String kind, String target) {
        if (target == null || target.isBlank()) {
            throw ProblemException.invalid("target", "is required");
        }
        String t = target.trim();
        if ("tcp".equals(kind)) {
            int colon = t.lastIndexOf(':');
            if (colon <= 0 || !t.substring(colon + 1).matches("\\d{1,5}") || Integer.parseInt(t.substring(colon + 1)) > 65535
                    || Integer.parseInt(t.substring(colon + 1)) < 1 || !t.substring(0, colon).matches("[A-Za-z0-9.\\-\\[\\]:]+")) {
                throw ProblemException.invalid("target", "must be host:port for a tcp check");
            }
            return t;
        }
        try {
            URI u = URI.create(t);
            if ((!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) || u.getHost() == null) {
                throw new IllegalArgumentException();
            }
            if (u.getUserInfo() != null) {
                throw ProblemException.invalid("target", "must not carry credentials");
            }
            return u.toString();
        } catch (IllegalArgumentException e) {
            throw ProblemException.invalid("target", "must be an http or https URL");
        }
    }

    /** The checks run right after a deployment finished (the services linked to its server), oldest first. */
    public Uni<List<WatchView.Check>> checksOfDeployment(long deploymentId) {
        return repository.checksOfDeployment(deploymentId);
    }
}
