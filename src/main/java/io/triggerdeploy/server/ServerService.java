package io.triggerdeploy.server;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.access.AccessService;
import io.triggerdeploy.access.Acting;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.environment.EnvironmentService;
import io.triggerdeploy.ssh.HostKeys;
import io.triggerdeploy.ssh.SshTarget;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Registered servers: lookups, and the writes with their rules (unique aliases, one-hop jump hosts, no deletion with
 * history). Each write and its audit record commit together; then the access cache forgets and environments that
 * servers name exist. What a request may set is {@link ServerFields}'s job.
 */
@ApplicationScoped
public class ServerService {

    private final ServerRepository servers;
    private final ServerFields fields;
    private final AccessService access;
    private final AuditLog audit;
    private final EnvironmentService environments;

    public ServerService(ServerRepository servers, ServerFields fields, AccessService access, AuditLog audit,
                         EnvironmentService environments) {
        this.servers = servers;
        this.fields = fields;
        this.access = access;
        this.audit = audit;
        this.environments = environments;
    }

    /**
     * The server a caller names for an action, if they may see it. Visibility is the first thing checked after the
     * lookup, so a hidden server answers exactly like an unknown one (the same 404, repeating what was typed) before
     * anything that could name it, its parameters or its deployments.
     */
    public Uni<Server> resolve(String ref, Acting acting) {
        return resolve(ref).call(s -> access.of(acting, s.id).invoke(a -> {
            if (!a.sees(s.id)) {
                throw unknown(ref);
            }
        }));
    }

    private static ProblemException unknown(String ref) {
        return ProblemException.notFound("No server '" + ref + "' (looked up by id, alias and host)");
    }

    @WithSession
    public Uni<List<ServerView>> list() {
        return servers.listOrdered().map(l -> {
            Map<Long, String> aliases = new HashMap<>();
            l.forEach(s -> aliases.put(s.id, s.alias));
            return l.stream().map(s -> ServerView.of(s, aliases.get(s.jumpServerId))).toList();
        });
    }

    /** The server as the API shows it, with its jump host's alias. */
    private Uni<ServerView> view(Server s) {
        if (s.jumpServerId == null) {
            return Uni.createFrom().item(ServerView.of(s, null));
        }
        return servers.findById(s.jumpServerId).map(j -> ServerView.of(s, j == null ? null : j.alias));
    }

    /** Where and as whom to reach a server's jump host (its pin and client key); null for none. */
    @WithSession
    public Uni<SshTarget> jumpTarget(Long jumpServerId) {
        if (jumpServerId == null) {
            return Uni.createFrom().nullItem();
        }
        return servers.findById(jumpServerId).map(j -> j == null ? null
                : new SshTarget(j.host, j.port, j.user, j.hostKey, j.privateKeyRef));
    }

    /** By id, alias or host (case-insensitive), like the old tool's lookup. */
    @WithSession
    public Uni<Server> resolve(String ref) {
        if (ref.isEmpty() || ref.length() > 253 || ref.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
            return Uni.createFrom().failure(ProblemException.notFound("No server with that id, alias or host"));
        }
        Uni<Server> found = ref.matches("\\d{1,18}")
                ? servers.findById(Long.parseLong(ref)).chain(s -> s != null ? Uni.createFrom().item(s) : servers.findByAliasOrHost(ref))
                : servers.findByAliasOrHost(ref);
        return found.map(s -> {
            if (s == null) {
                throw unknown(ref);
            }
            return s;
        });
    }

    @WithSession
    public Uni<ServerView> get(String ref) {
        return resolve(ref).chain(this::view);
    }

    /** Registers a server (201 body); the alias must be new. */
    public Uni<ServerView> create(ServerRequest req, Actor actor) {
        return insert(req, actor).invoke(x -> access.changed()).call(v -> environments.ensureNamedByServers(actor));
    }

    @WithTransaction
    Uni<ServerView> insert(ServerRequest req, Actor actor) {
        ServerFields.require(req.name(), "name");
        ServerFields.require(req.alias(), "alias");
        ServerFields.require(req.host(), "host");
        ServerFields.require(req.user(), "user");
        ServerFields.require(req.path(), "path");
        Server s = new Server();
        ServerFields.apply(s, req);
        fields.applyRun(s, req);
        if (s.command == null) {
            s.command = ServerRules.DEFAULT_COMMAND;
        }
        OffsetDateTime now = ServerFields.now();
        s.createdAt = now;
        s.updatedAt = now;
        return servers.findByAlias(s.alias).chain(existing -> {
            if (existing != null) {
                throw ProblemException.conflict("A server with alias '" + s.alias + "' already exists");
            }
            return applyJump(s, req.jumpHost()).chain(() -> servers.persist(s)).chain(this::view);
        }).call(v -> audit.recordInSession(actor, "server.created", "server", v.alias(), describe(v)));
    }

    /** Changes what the request sets (PATCH and PUT alike); a new host or port unpins the host key. */
    public Uni<ServerView> update(long id, ServerRequest req, Actor actor) {
        return change(id, req, actor).invoke(x -> access.changed()).call(v -> environments.ensureNamedByServers(actor));
    }

    @WithTransaction
    Uni<ServerView> change(long id, ServerRequest req, Actor actor) {
        return servers.findById(id).chain(s -> {
            if (s == null) {
                throw ProblemException.notFound("No server " + id);
            }
            String oldAlias = s.alias;
            String oldHost = s.host;
            int oldPort = s.port;
            Long oldJump = s.jumpServerId;
            String oldKey = s.hostKey;
            String oldFingerprint = ServerView.of(s, null).hostKeyFingerprint();
            ServerFields.apply(s, req);
            fields.applyRun(s, req);
            if ((!s.host.equalsIgnoreCase(oldHost) || s.port != oldPort) && req.hostKey() == null) {
                s.hostKey = null; // a different machine: its key must be pinned again
            }
            s.updatedAt = ServerFields.now();
            Uni<Server> clash = s.alias.equalsIgnoreCase(oldAlias) ? Uni.createFrom().nullItem() : servers.findByAlias(s.alias);
            return clash.chain(other -> {
                if (other != null && !other.id.equals(s.id)) {
                    throw ProblemException.conflict("A server with alias '" + s.alias + "' already exists");
                }
                return applyJump(s, req.jumpHost()).invoke(() -> {
                    if (!Objects.equals(oldKey, s.hostKey) || !s.host.equals(oldHost) || s.port != oldPort
                            || !Objects.equals(oldJump, s.jumpServerId)) {
                        forgetReachability(s);
                    }
                }).chain(() -> view(s));
            }).call(v -> audit.recordInSession(actor, "server.updated", "server", v.alias(), describe(v)
                    + (Objects.equals(oldFingerprint, v.hostKeyFingerprint()) ? ""
                    : "; host key " + (v.hostKeyFingerprint() == null ? "unpinned (host or port changed)" : "now " + v.hostKeyFingerprint()))));
        });
    }

    private static String describe(ServerView v) {
        return v.user() + "@" + v.host() + ":" + v.port() + " " + v.path() + " " + v.command() + (v.active() ? "" : " (inactive)")
                + (v.parameters().isEmpty() ? "" : "; parameters " + String.join(", ", v.parameters().stream().map(ParameterSpec::name).toList()))
                + (v.secretNames().isEmpty() ? "" : "; secret variables " + String.join(", ", v.secretNames()))
                + (v.steps() == null ? "" : "; steps " + v.steps().describe())
                + (v.jumpHost() == null ? "" : "; through jump host " + v.jumpHost())
                + ("queue".equals(v.queuePolicy()) ? "" : "; queue policy " + v.queuePolicy())
                + (v.labels().isEmpty() ? "" : "; labels " + v.labels().entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(",")));
    }

    /** Removes a server no other server jumps through and no deployment names. */
    public Uni<Void> delete(long id, Actor actor) {
        return remove(id, actor).invoke(x -> access.changed());
    }

    @WithTransaction
    Uni<Void> remove(long id, Actor actor) {
        return servers.findById(id).chain(s -> {
            if (s == null) {
                throw ProblemException.notFound("No server " + id);
            }
            return servers.jumpedThrough(id).chain(users -> {
                if (!users.isEmpty()) {
                    throw ProblemException.conflict("Server '" + s.alias + "' is the jump host of " + String.join(", ", users)
                            + "; give them another jump host first");
                }
                return servers.hasDeployments(id);
            }).chain(used -> {
                if (used) {
                    throw ProblemException.conflict("Server '" + s.alias + "' has deployment history; deactivate it instead");
                }
                return servers.delete(s);
            }).call(() -> audit.recordInSession(actor, "server.deleted", "server", s.alias, null));
        });
    }

    /** Pins {@code key} as the server's host key; the record says whether it was new, the same, or a change. */
    @WithTransaction
    public Uni<ServerView> pin(long id, HostKeys.HostKey key, Actor actor) {
        return servers.findById(id).chain(s -> {
            if (s == null) {
                throw ProblemException.notFound("No server " + id);
            }
            String before = ServerView.of(s, null).hostKeyFingerprint();
            if (!key.line().equals(s.hostKey)) {
                forgetReachability(s);
            }
            s.hostKey = key.line();
            s.updatedAt = ServerFields.now();
            return view(s).call(v -> audit.recordInSession(actor, "server.host_key_pinned", "server", v.alias(), before == null
                    ? "pinned " + v.hostKeyFingerprint()
                    : before.equals(v.hostKeyFingerprint()) ? "re-pinned " + v.hostKeyFingerprint()
                    : "CHANGED from " + before + " to " + v.hostKeyFingerprint()));
        });
    }

    /**
     * What the monitor found about the server's SSH port was found against its old key or address: the answer shows it
     * unchecked, as the row is (changelog 0033 clears it in the database, whoever changes the row), until the next check.
     */
    private static void forgetReachability(Server s) {
        s.reachability = null;
        s.reachabilityError = null;
        s.reachabilityCheckedAt = null;
    }

    /**
     * Sets the server's jump host ({@code ref}: id or alias; "" removes it; null leaves it). One hop only: the jump host
     * may not go through one itself, and a server other servers go through may not get one.
     */
    private Uni<Void> applyJump(Server s, String ref) {
        if (ref == null) {
            return Uni.createFrom().voidItem();
        }
        if (ref.isBlank()) {
            s.jumpServerId = null;
            return Uni.createFrom().voidItem();
        }
        return resolve(ref.trim()).onFailure(ProblemException.class)
                .transform(e -> ProblemException.invalid("jump_host", "names no registered server"))
                .chain(j -> {
                    if (j.id.equals(s.id) || j.alias.equalsIgnoreCase(s.alias)) {
                        throw ProblemException.invalid("jump_host", "is this server itself");
                    }
                    if (j.jumpServerId != null) {
                        throw ProblemException.invalid("jump_host", "'" + j.alias + "' is reached through a jump host "
                                + "itself; chains of more than one hop are not supported");
                    }
                    Uni<List<String>> users = s.id == null ? Uni.createFrom().item(List.of()) : servers.jumpedThrough(s.id);
                    return users.map(u -> {
                        if (!u.isEmpty()) {
                            throw ProblemException.invalid("jump_host", "this server is the jump host of " + String.join(", ", u)
                                    + "; chains of more than one hop are not supported");
                        }
                        s.jumpServerId = j.id;
                        return null;
                    });
                }).replaceWithVoid();
    }

}
