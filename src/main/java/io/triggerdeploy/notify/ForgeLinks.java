package io.triggerdeploy.notify;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.db.Transactions;
import io.triggerdeploy.security.SecretBox;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.URI;
import java.util.List;

/** Forge links (admins): checked, their tokens sealed and never read back, every change audited. */
@ApplicationScoped
public class ForgeLinks {

    private final ForgeRepository repository;
    private final SecretBox secrets;
    private final Transactions transactions;
    private final AuditLog audit;

    public ForgeLinks(ForgeRepository repository, SecretBox secrets, Transactions transactions, AuditLog audit) {
        this.repository = repository;
        this.secrets = secrets;
        this.transactions = transactions;
        this.audit = audit;
    }

    public Uni<List<ForgeLink>> list() {
        return repository.list();
    }

    public Uni<ForgeLink> create(ForgeLinkRequest r, Actor actor) {
        boolean env = r.environment() != null && !r.environment().isBlank();
        boolean server = r.server() != null && !r.server().isBlank();
        if (env == server) {
            throw ProblemException.invalid("environment", "name either an environment or a server (not both)");
        }
        url("api_url", r.apiUrl());
        if (r.environmentUrl() != null && !r.environmentUrl().isBlank()) {
            url("environment_url", r.environmentUrl());
        }
        secrets.requireEnabled("token");
        String sealed = secrets.seal(ForgeWriter.SECRET_NAME, r.token().strip());
        return transactions.run(tx -> (server ? repository.server(tx, r.server().strip()) : Uni.createFrom().<Object[]>nullItem()).chain(s -> {
            if (server && s == null) {
                throw ProblemException.invalid("server", "no server '" + r.server().strip() + "'");
            }
            return repository.insert(tx, r, sealed, env ? r.environment().strip() : null, s == null ? null : (Long) s[0], actor.name())
                    .call(id -> audit.record(tx, actor, null, "forge_link.created", "forge_link", r.kind() + ":" + r.repository().strip(),
                            "for " + (env ? "environment " + r.environment().strip() : "server " + s[1]) + ", API " + r.apiUrl().strip(), true))
                    .chain(id -> repository.find(tx, id));
        }));
    }

    public Uni<Void> delete(long id, Actor actor) {
        return transactions.run(tx -> repository.find(tx, id).chain(l -> {
            if (l == null) {
                throw ProblemException.notFound("No forge link " + id);
            }
            return repository.delete(tx, id).chain(() -> audit.record(tx, actor, null, "forge_link.deleted", "forge_link",
                    l.kind() + ":" + l.repository(), "for " + (l.environment() != null ? "environment " + l.environment() : "server " + l.server()), true));
        }));
    }

    private static void url(String field, String value) {
        try {
            URI u = new URI(value.strip());
            if (!("https".equals(u.getScheme()) || "http".equals(u.getScheme())) || u.getHost() == null || u.getUserInfo() != null) {
                throw ProblemException.invalid(field, "must be an absolute http(s) URL without credentials");
            }
        } catch (java.net.URISyntaxException e) {
            throw ProblemException.invalid(field, "must be an absolute http(s) URL without credentials");
        }
    }
}
