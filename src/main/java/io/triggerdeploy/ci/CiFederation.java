package io.triggerdeploy.ci;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.auth.CiBindings;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.db.Transactions;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * CI identity federation's rules: trusted CI issuers and bindings (changed by admins, each change committed with its
 * audit record), and the exchange of a CI job's ID token ({@link CiTokenCheck} verifies it) for the binding it meets.
 */
@ApplicationScoped
public class CiFederation implements CiBindings {

    /** Claims that name a repository or project: a binding must require one of them exactly, or any repository could use it. */
    static final Set<String> PINNING = Set.of("repository", "repository_id", "project_path", "project_id", "sub");
    private static final Pattern CLAIM = Pattern.compile("[a-z][a-z0-9_]{0,63}");

    private final CiRepository repository;
    private final CiTokenCheck check;
    private final CiKeys keys;
    private final Transactions transactions;
    private final AuditLog audit;

    public CiFederation(CiRepository repository, CiTokenCheck check, CiKeys keys, Transactions transactions, AuditLog audit) {
        this.repository = repository;
        this.check = check;
        this.keys = keys;
        this.transactions = transactions;
        this.audit = audit;
    }

    /** What an exchange yields: the binding met, who the job is (for the audit record and the token), and the claims told. */
    public record Exchanged(CiBinding binding, String identity, String detail) {
    }

    public Uni<List<CiIssuer>> issuers() {
        return repository.issuers();
    }

    public Uni<List<CiBinding>> bindings() {
        return repository.bindings();
    }

    public Uni<CiIssuer> createIssuer(CiIssuerRequest r, Actor actor) {
        String issuer = url("issuer", r.issuer());
        url("jwks_url", r.jwksUrl());
        String name = r.name() != null ? r.name().strip() : hostOf(issuer);
        return transactions.run(tx -> repository.insertIssuer(tx, name, r, issuer, actor.name()).chain(id -> {
            if (id == null) {
                throw ProblemException.conflict("A CI issuer named '" + name + "' or with this issuer URL exists already");
            }
            return audit.record(tx, actor, null, "ci_issuer.created", "ci_issuer", name,
                    issuer + ", keys " + r.jwksUrl().strip() + ", audience " + r.audience().strip(), true).chain(() -> repository.issuer(tx, id));
        }));
    }

    /** Removes an issuer and its bindings: its tokens are refused at once, and the tokens issued through its bindings. */
    public Uni<Void> deleteIssuer(long id, Actor actor) {
        return transactions.run(tx -> repository.deleteIssuer(tx, id).chain(i -> {
            if (i == null) {
                throw ProblemException.notFound("No CI issuer " + id);
            }
            return audit.record(tx, actor, null, "ci_issuer.deleted", "ci_issuer", i.name(), i.issuer() + ", " + i.bindings() + " bindings", true);
        })).invoke(() -> keys.forget(id)).replaceWithVoid();
    }

    public Uni<CiBinding> createBinding(CiBindingRequest r, Actor actor) {
        Map<String, String> conditions = conditions(r.claims());
        int lifetime = lifetime(r.tokenLifetime());
        return transactions.run(tx -> repository.issuer(tx, r.issuer().strip()).chain(issuer -> {
            if (issuer == null) {
                throw ProblemException.invalid("issuer", "no CI issuer '" + r.issuer().strip() + "'");
            }
            return repository.team(tx, r.team().strip()).chain(team -> {
                if (team == null) {
                    throw ProblemException.invalid("team", "no team '" + r.team().strip() + "'");
                }
                String name = r.name() != null ? r.name().strip() : bindingName(team.getValue());
                return repository.insertBinding(tx, name, issuer.id(), conditions, team.getKey(), lifetime, actor.name())
                        .chain(id -> {
                            if (id == null) {
                                throw ProblemException.conflict("A CI binding named '" + name + "' exists already");
                            }
                            return audit.record(tx, actor, null, "ci_binding.created", "ci_binding", name,
                                    "issuer " + issuer.name() + ", claims " + conditions + ", team " + team.getValue() + ", lifetime "
                                            + lifetime + " s", true).chain(() -> repository.binding(tx, id));
                        });
            });
        }));
    }

    /** Removes a binding: the tokens issued through it are refused from the next request on. */
    public Uni<Void> deleteBinding(long id, Actor actor) {
        return transactions.run(tx -> repository.deleteBinding(tx, id).chain(b -> {
            if (b == null) {
                throw ProblemException.notFound("No CI binding " + id);
            }
            return audit.record(tx, actor, null, "ci_binding.deleted", "ci_binding", b.name(), "team " + b.team(), true);
        })).replaceWithVoid();
    }

    /** The tokens issued through a binding are checked against it at every request: it must still be there, for that team. */
    @Override
    public Uni<Boolean> holds(long bindingId, long teamId) {
        return repository.binding(bindingId).map(b -> b != null && b.teamId() == teamId);
    }

    /**
     * Verifies a CI job's ID token and finds the binding it meets (the one with the most conditions; the oldest of
     * those), and records the exchange: one ID token is exchanged once. 401 for a token that is not valid here, 403 when
     * no binding matches (audited): nothing is issued then.
     */
    public Uni<Exchanged> exchange(String idToken, Actor actor) {
        return check.verify(idToken).chain(v -> repository.bindingsOf(v.issuer().id()).chain(bindings -> {
            CiClaims claims = v.claims();
            CiBinding best = bindings.stream().filter(b -> claims.meets(b.claims()))
                    .reduce(null, (a, b) -> a == null || b.claims().size() > a.claims().size() ? b : a);
            String identity = claims.identity();
            if (best == null) {
                return audit.record(actor, "ci_token.refused", "ci_issuer", v.issuer().name(), claims.describe() + ": no binding matches", false)
                        .chain(() -> Uni.createFrom().<Exchanged>failure(ProblemException.forbidden("No CI binding of issuer '" + v.issuer().name()
                                + "' matches this token (" + claims.describe() + "); nothing was issued")));
            }
            String detail = claims.describe() + ", binding " + best.name() + ", team " + best.team() + ", for " + best.tokenLifetimeSeconds() + " s";
            return transactions.run(tx -> repository.firstUse(tx, v.digest(), v.expiresAt()).chain(first -> {
                if (!first) {
                    throw ProblemException.unauthorized("This ID token was exchanged already; ask the CI provider for a new one");
                }
                return audit.record(tx, new Actor(identity, null, actor.ip()), null, "ci_token.issued", "ci_binding", best.name(), detail, true);
            })).replaceWith(new Exchanged(best, identity, detail));
        }));
    }

    /** A binding's token lifetime: {@code 900s}, {@code 15m}, {@code 1h} or plain seconds; 60 s to 1 h; default 15 m. */
    static int lifetime(String given) {
        if (given == null) {
            return 900;
        }
        char unit = given.charAt(given.length() - 1);
        long n = Long.parseLong(Character.isDigit(unit) ? given : given.substring(0, given.length() - 1));
        long seconds = unit == 'h' ? n * 3600 : unit == 'm' ? n * 60 : n;
        if (seconds < 60 || seconds > 3600) {
            throw ProblemException.invalid("token_lifetime", "must be between 60s and 1h (it is " + given + ")");
        }
        return (int) seconds;
    }

    private static String bindingName(String team) {
        String base = team.length() > 50 ? team.substring(0, 50) : team;
        return base.replaceAll("[^A-Za-z0-9_.-]", "-") + "-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    }

    private static String hostOf(String url) {
        String host = URI.create(url).getHost();
        return host.length() > 64 ? host.substring(0, 64) : host;
    }

    /** Claims as given, checked: claim names, values, a trailing {@code *} only, and one that pins the repository. */
    static Map<String, String> conditions(Map<String, String> given) {
        boolean pinned = false;
        for (Map.Entry<String, String> c : given.entrySet()) {
            String field = "claims." + c.getKey();
            if (c.getKey() == null || !CLAIM.matcher(c.getKey()).matches()) {
                throw ProblemException.invalid("claims", "claim names are lower-case letters, digits and '_' (e.g. repository, ref)");
            }
            String v = c.getValue();
            if (v == null || v.isBlank() || v.length() > 256 || v.chars().anyMatch(ch -> ch < 0x20)) {
                throw ProblemException.invalid(field, "must be 1 to 256 characters");
            }
            if (v.indexOf('*') >= 0 && v.indexOf('*') != v.length() - 1) {
                throw ProblemException.invalid(field, "may hold '*' only at its end (a prefix)");
            }
            pinned |= PINNING.contains(c.getKey()) && !v.endsWith("*");
        }
        if (!pinned) {
            throw ProblemException.invalid("claims", "must require one of " + String.join(", ", PINNING.stream().sorted().toList())
                    + " exactly (no '*'): otherwise any repository of the issuer could use this binding");
        }
        return given;
    }

    /** An issuer or key set URL: https, or http to a loopback host only. */
    static String url(String field, String value) {
        String v = value.strip();
        URI u;
        try {
            u = new URI(v);
        } catch (java.net.URISyntaxException e) {
            throw ProblemException.invalid(field, "must be an absolute https URL");
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        String host = u.getHost() == null ? "" : u.getHost().replace("[", "").replace("]", "");
        boolean loopback = host.equals("localhost") || host.equals("::1") || host.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
        if (host.isEmpty() || u.getUserInfo() != null || !(scheme.equals("https") || scheme.equals("http") && loopback)) {
            throw ProblemException.invalid(field, "must be an absolute https URL (http only to a loopback host)");
        }
        return v;
    }
}
