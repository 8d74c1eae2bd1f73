package io.triggerdeploy.server;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.util.Comparator;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.ssh.HostKeys;
import io.triggerdeploy.ssh.ShellQuote;
import io.triggerdeploy.ssh.SshService;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Server rules: unique aliases, and nothing that could reach a shell unquoted or an unverified host. */
@ApplicationScoped
public class ServerService {

    private final ServerRepository servers;
    private final Validator validator;
    private final io.triggerdeploy.security.SecretBox secrets;

    /** Claims servers due for a reachability check (each once per interval across replicas). */
    public Uni<List<ReachabilityTarget>> claimReachabilityDue(long intervalSeconds, int limit) {
        return servers.claimReachabilityDue(intervalSeconds, limit);
    }

    /** Stores the outcome of a reachability check. */
    public Uni<Void> recordReachability(long id, String status, String error) {
        return servers.recordReachability(id, status, error);
    }

    private final io.triggerdeploy.access.AccessService access;

    public ServerService(ServerRepository servers, Validator validator, io.triggerdeploy.security.SecretBox secrets,
                         io.triggerdeploy.access.AccessService access) {
        this.servers = servers;
        this.validator = validator;
        this.secrets = secrets;
        this.access = access;
    }

    /**
     * The server a caller names for an action, if they may see it. Visibility is the first thing checked after the
     * lookup, so a hidden server answers exactly like an unknown one (the same 404, repeating what was typed) before
     * anything that could name it, its parameters or its deployments.
     */
    public Uni<Server> resolve(String ref, io.triggerdeploy.access.Acting acting) {
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
            Map<Long, String> aliases = new java.util.HashMap<>();
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
    public Uni<io.triggerdeploy.ssh.SshTarget> jumpTarget(Long jumpServerId) {
        if (jumpServerId == null) {
            return Uni.createFrom().nullItem();
        }
        return servers.findById(jumpServerId).map(j -> j == null ? null
                : new io.triggerdeploy.ssh.SshTarget(j.host, j.port, j.user, j.hostKey, j.privateKeyRef));
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

    @WithTransaction
    public Uni<ServerView> create(ServerRequest req) {
        require(req.name(), "name");
        require(req.alias(), "alias");
        require(req.host(), "host");
        require(req.user(), "user");
        require(req.path(), "path");
        Server s = new Server();
        apply(s, req);
        applyRun(s, req);
        if (s.command == null) {
            s.command = ServerRules.DEFAULT_COMMAND;
        }
        OffsetDateTime now = now();
        s.createdAt = now;
        s.updatedAt = now;
        return servers.findByAlias(s.alias).chain(existing -> {
            if (existing != null) {
                throw ProblemException.conflict("A server with alias '" + s.alias + "' already exists");
            }
            return applyJump(s, req.jumpHost()).chain(() -> servers.persist(s)).chain(this::view);
        });
    }

    @WithTransaction
    public Uni<ServerView> update(long id, ServerRequest req) {
        return servers.findById(id).chain(s -> {
            if (s == null) {
                throw ProblemException.notFound("No server " + id);
            }
            String oldAlias = s.alias;
            String oldHost = s.host;
            int oldPort = s.port;
            apply(s, req);
            applyRun(s, req);
            if ((!s.host.equalsIgnoreCase(oldHost) || s.port != oldPort) && req.hostKey() == null) {
                s.hostKey = null; // a different machine: its key must be pinned again
            }
            s.updatedAt = now();
            Uni<Server> clash = s.alias.equalsIgnoreCase(oldAlias) ? Uni.createFrom().nullItem() : servers.findByAlias(s.alias);
            return clash.chain(other -> {
                if (other != null && !other.id.equals(s.id)) {
                    throw ProblemException.conflict("A server with alias '" + s.alias + "' already exists");
                }
                return applyJump(s, req.jumpHost()).chain(() -> view(s));
            });
        });
    }

    @WithTransaction
    public Uni<Void> delete(long id) {
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
            });
        });
    }

    @WithTransaction
    public Uni<ServerView> pin(long id, HostKeys.HostKey key) {
        return servers.findById(id).map(s -> {
            if (s == null) {
                throw ProblemException.notFound("No server " + id);
            }
            s.hostKey = key.line();
            s.updatedAt = now();
            return s;
        }).chain(this::view);
    }

    /** Imports the old tool's servers.json entries; invalid ones and existing aliases are skipped and reported. */
    @WithTransaction
    public Uni<ServerImportResult> importLegacy(List<LegacyServerRecord> records) {
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
                String alias = r.alias() != null && !r.alias().isBlank() ? r.alias().trim() : slug(r.name());
                ServerRequest req = new ServerRequest(r.name() == null || r.name().isBlank() ? alias : r.name().trim(), alias,
                        r.ip() == null ? null : r.ip().trim(), r.port(), r.user() == null ? null : r.user().trim(), r.path(), null,
                        r.type() == null || r.type().isBlank() ? null : slug(r.type()), r.description(), null, true, null, null, null, null,
                        null, null, null);
                require(req.alias(), "alias");
                checkConstraints(req);
                require(req.host(), "ip");
                require(req.user(), "user");
                require(req.path(), "path");
                Server s = new Server();
                apply(s, req);
                s.command = ServerRules.DEFAULT_COMMAND;
                s.createdAt = now();
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
        return chain.map(v -> new ServerImportResult(created, skipped));
    }

    private static void apply(Server s, ServerRequest req) {
        if (req.name() != null) {
            s.name = req.name().trim();
        }
        if (req.alias() != null) {
            s.alias = req.alias().trim();
        }
        if (req.host() != null) {
            s.host = req.host().trim();
        }
        if (req.port() != null) {
            s.port = req.port();
        }
        if (req.user() != null) {
            s.user = req.user().trim();
        }
        applyRemote(s, req);
        if (req.environment() != null) {
            s.environment = req.environment().isBlank() ? null : req.environment().trim();
        }
        if (req.description() != null) {
            s.description = req.description().isBlank() ? null : req.description().strip();
        }
        if (req.timeoutSeconds() != null) {
            s.timeoutSeconds = req.timeoutSeconds();
        }
        if (req.active() != null) {
            s.active = req.active();
        }
        if (req.queuePolicy() != null) {
            s.queuePolicy = req.queuePolicy();
        }
        applyKeys(s, req);
    }

    /** The declared parameters and the secret variables (sealed here; their values never come back out). */
    private void applyRun(Server s, ServerRequest req) {
        List<ParameterSpec> specs = req.parameters() != null ? Parameters.checkDefinitions(req.parameters())
                : Parameters.read(s.parameters);
        Map<String, String> sealed = Parameters.readMap(s.secretVariables);
        if (req.secrets() != null) {
            for (Map.Entry<String, String> e : req.secrets().entrySet()) {
                String field = "secrets." + e.getKey();
                Parameters.checkName(e.getKey(), field);
                String value = e.getValue();
                if (value == null || value.isEmpty()) {
                    sealed.remove(e.getKey());
                    continue;
                }
                Parameters.checkText(value, field);
                Parameters.checkSecretLength(value, field);
                secrets.requireEnabled(field);
                sealed.put(e.getKey(), secrets.seal(variableName(e.getKey()), value));
            }
            if (sealed.size() > Parameters.MAX_PARAMETERS) {
                throw ProblemException.invalid("secrets", "at most " + Parameters.MAX_PARAMETERS + " secret variables");
            }
        }
        for (ParameterSpec p : specs) {
            if (sealed.containsKey(p.name())) {
                throw ProblemException.invalid("parameters." + p.name(), "is also the name of a secret variable of this server");
            }
        }
        s.parameters = Parameters.write(specs);
        s.secretVariables = sealed.isEmpty() ? null : Parameters.write(sealed);
        if (req.steps() != null) {
            StepsSpec steps = StepsSpec.check(req.steps());
            s.steps = steps == null ? null : Parameters.write(steps);
        }
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

    /**
     * Seals every server's secret variables under the current key (after a key rotation); answers how many values
     * changed. A value no configured key opens is a 409 naming the server and variable, and nothing is changed.
     */
    @WithTransaction
    public Uni<Integer> resealVariables() {
        return servers.list("secretVariables is not null").map(list -> {
            int changed = 0;
            for (Server s : list) {
                Map<String, String> sealed = Parameters.readMap(s.secretVariables);
                for (Map.Entry<String, String> e : sealed.entrySet()) {
                    if (secrets.stale(e.getValue())) {
                        try {
                            e.setValue(secrets.reseal(variableName(e.getKey()), e.getValue()));
                        } catch (io.triggerdeploy.security.SecretBox.SecretUnavailable x) {
                            throw ProblemException.conflict("Server '" + s.alias + "': " + x.getMessage());
                        }
                        changed++;
                    }
                }
                s.secretVariables = Parameters.write(sealed);
            }
            return changed;
        });
    }

    /** What a server's secret variable is sealed under (bound to its name, so it cannot be moved to another). */
    public static String variableName(String name) {
        return "var:" + name;
    }

    /** Where and what to run: the path and command, checked so the remote shell never interprets them. */
    private static void applyRemote(Server s, ServerRequest req) {
        if (req.path() != null) {
            String problem = ShellQuote.pathProblem(req.path());
            if (problem != null) {
                throw ProblemException.invalid("path", problem);
            }
            s.path = req.path();
        }
        if (req.command() != null) {
            String problem = ShellQuote.commandProblem(req.command());
            if (problem != null) {
                throw ProblemException.invalid("command", problem);
            }
            s.command = req.command().strip();
        }
    }

    /** The pinned host key and the client key file. */
    private static void applyKeys(Server s, ServerRequest req) {
        if (req.hostKey() != null) {
            if (req.hostKey().isBlank()) {
                s.hostKey = null;
            } else {
                try {
                    s.hostKey = HostKeys.parse(req.hostKey()).line();
                } catch (IllegalArgumentException e) {
                    throw ProblemException.invalid("host_key", e.getMessage());
                }
            }
        }
        if (req.privateKeyRef() != null) {
            if (req.privateKeyRef().isBlank()) {
                s.privateKeyRef = null;
            } else if (!SshService.isValidKeyRef(req.privateKeyRef())) {
                throw ProblemException.invalid("private_key_ref",
                        "must be the plain name of a key file in trigger.ssh.key-directory (no '/' or '..')");
            } else {
                s.privateKeyRef = req.privateKeyRef();
            }
        }
    }

    /**
     * The same bean-validation rules as the API, for entries that do not come through {@code @Valid} (imports);
     * the first violation (by field) is reported under the import's own field names ({@code ip}, {@code type}).
     */
    private void checkConstraints(ServerRequest r) {
        validator.validate(r).stream()
                .min(Comparator.comparing((ConstraintViolation<ServerRequest> v) -> v.getPropertyPath().toString()))
                .ifPresent(v -> {
                    String field = v.getPropertyPath().toString();
                    throw ProblemException.invalid(switch (field) {
                        case "host" -> "ip";
                        case "environment" -> "type";
                        default -> field;
                    }, v.getMessage());
                });
    }

    private static void require(String value, String field) {
        if (value == null || value.isBlank()) {
            throw ProblemException.invalid(field, "is required");
        }
    }

    static String slug(String s) {
        if (s == null) {
            return null;
        }
        String slug = s.trim().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-").replaceAll("^[^a-z0-9]+", "");
        return slug.length() > 64 ? slug.substring(0, 64) : slug;
    }

    static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
    }
}
