package io.triggerdeploy.server;

import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.access.AccessService;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.environment.EnvironmentService;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The old tool's servers.json, imported: host keys must be pinned afterwards. */
@ApplicationScoped
public class ServerImport {

    private final ServerRepository servers;
    private final ServerFields fields;
    private final AuditLog audit;
    private final AccessService access;
    private final EnvironmentService environments;

    public ServerImport(ServerRepository servers, ServerFields fields, AuditLog audit, AccessService access,
                        EnvironmentService environments) {
        this.servers = servers;
        this.fields = fields;
        this.audit = audit;
        this.access = access;
        this.environments = environments;
    }

    /** Imports and records it; then the access cache forgets and environments named by the new servers exist. */
    public Uni<ServerImportResult> importLegacy(List<LegacyServerRecord> records, Actor actor) {
        return run(records, actor).invoke(x -> access.changed()).call(r -> environments.ensureNamedByServers(actor));
    }

    /** Imports the old tool's servers.json entries; invalid ones and existing aliases are skipped and reported. */
    @WithTransaction
    Uni<ServerImportResult> run(List<LegacyServerRecord> records, Actor actor) {
        List<ServerImportResult.Skipped> skipped = new ArrayList<>();
        // valid entries with their index in the file, so a later refusal still names the entry
        List<Map.Entry<Integer, Server>> valid = new ArrayList<>();
        Set<String> aliases = new HashSet<>();
        for (int i = 0; i < records.size(); i++) {
            LegacyServerRecord r = records.get(i);
            try {
                if (r == null) {
                    throw ProblemException.badRequest("empty entry");
                }
                String alias = r.alias() != null && !r.alias().isBlank() ? r.alias().trim() : ServerFields.slug(r.name());
                ServerRequest req = new ServerRequest(r.name() == null || r.name().isBlank() ? alias : r.name().trim(), alias,
                        r.ip() == null ? null : r.ip().trim(), r.port(), r.user() == null ? null : r.user().trim(), r.path(), null,
                        r.type() == null || r.type().isBlank() ? null : ServerFields.slug(r.type()), r.description(), null, true, null, null, null, null,
                        null, null, null, null);
                ServerFields.require(req.alias(), "alias");
                fields.checkConstraints(req);
                ServerFields.require(req.host(), "ip");
                ServerFields.require(req.user(), "user");
                ServerFields.require(req.path(), "path");
                Server s = new Server();
                ServerFields.apply(s, req);
                s.command = ServerRules.DEFAULT_COMMAND;
                s.createdAt = ServerFields.now();
                s.updatedAt = s.createdAt;
                if (!aliases.add(alias.toLowerCase(Locale.ROOT))) {
                    throw ProblemException.badRequest("duplicate alias in the import");
                }
                valid.add(Map.entry(i, s));
            } catch (ProblemException e) {
                skipped.add(new ServerImportResult.Skipped(i, r == null ? null : r.name(), e.getMessage()));
            }
        }
        List<ServerView> created = new ArrayList<>();
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Map.Entry<Integer, Server> entry : valid) {
            Server s = entry.getValue();
            chain = chain.chain(() -> servers.findByAlias(s.alias)).chain(existing -> {
                if (existing != null) {
                    skipped.add(new ServerImportResult.Skipped(entry.getKey(), s.name, "alias '" + s.alias + "' already exists"));
                    return Uni.createFrom().voidItem();
                }
                return servers.persist(s).invoke(saved -> created.add(ServerView.of(saved, null))).replaceWithVoid();
            });
        }
        return chain.map(v -> new ServerImportResult(created, skipped))
                .call(r -> audit.recordInSession(actor, "server.imported", "server", null,
                        "created " + r.created().size() + ", skipped " + r.skipped().size()));
    }
}
