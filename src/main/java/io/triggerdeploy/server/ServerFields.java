package io.triggerdeploy.server;

import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.security.SecretBox;
import io.triggerdeploy.ssh.HostKeys;
import io.triggerdeploy.ssh.ShellQuote;
import io.triggerdeploy.ssh.SshService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a server request may set, and how: nothing that could reach a shell unquoted, an unverified host key, or a
 * secret variable unsealed. Shared by the API's writes ({@link ServerService}) and the import ({@link ServerImport}).
 */
@ApplicationScoped
public class ServerFields {

    private final Validator validator;
    private final SecretBox secrets;

    public ServerFields(Validator validator, SecretBox secrets) {
        this.validator = validator;
        this.secrets = secrets;
    }

    /** The plain fields, the remote path and command, and the keys of {@code req} that are set onto {@code s}. */
    static void apply(Server s, ServerRequest req) {
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
        if (req.labels() != null) {
            s.labels = ServerLabels.write(ServerLabels.check(req.labels()));
        }
        applyKeys(s, req);
    }

    /** The declared parameters and the secret variables (sealed here; their values never come back out). */
    void applyRun(Server s, ServerRequest req) {
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
    void checkConstraints(ServerRequest r) {
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

    static void require(String value, String field) {
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

    /** What a server's secret variable is sealed under (bound to its name, so it cannot be moved to another). */
    public static String variableName(String name) {
        return "var:" + name;
    }
}
