package io.triggerdeploy.chat;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.access.Access;
import io.triggerdeploy.access.AccessService;
import io.triggerdeploy.access.Acting;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.common.Signatures;
import io.triggerdeploy.deploy.DeploymentService;
import io.triggerdeploy.deploy.DeploymentView;
import io.triggerdeploy.deploy.TriggerCommand;
import io.triggerdeploy.notify.NotifyConfig;
import io.triggerdeploy.rollout.RolloutRequest;
import io.triggerdeploy.rollout.RolloutService;
import io.triggerdeploy.rollout.RolloutView;
import io.triggerdeploy.security.Role;
import io.triggerdeploy.server.ServerService;
import io.triggerdeploy.server.ServerView;
import io.triggerdeploy.user.UserCache;
import io.triggerdeploy.user.UserService;
import jakarta.enterprise.context.ApplicationScoped;

import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a slash command does: {@code help}, {@code link}, {@code list}, {@code status <server>},
 * {@code deploy <server> [REF=… KEY=value…]}, {@code rollout <group|selector> [REF=… KEY=value… batch=… …]} and
 * {@code cancel <id>}, acting as the trigger-deploy user the Slack user is linked to, with that user's role and grants
 * (deploy, rollout and cancel need operator). Each answer is one ephemeral message.
 */
@ApplicationScoped
public class SlackCommands {

    static final long CODE_SECONDS = 600;
    private static final Pattern WORD = Pattern.compile("(\\S*?\"[^\"]*\"\\S*|\\S+)");
    private static final Pattern ASSIGNMENT = Pattern.compile("([A-Z][A-Z0-9_]*)=(.*)", Pattern.DOTALL);
    /** A rollout setting as a word: {@code batch=25%}, {@code strategy=canary}, {@code on_breach=rollback}. */
    private static final Pattern SETTING = Pattern.compile("(strategy|batch|max_in_flight|canary|max_failures|on_breach|soak_seconds)=(.+)");
    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    private final SlackRepository repository;
    private final UserService users;
    private final ServerService servers;
    private final DeploymentService deployments;
    private final NotifyConfig notify;
    private final AccessService access;

    /** Created at run time (a native image must not hold a seeded generator from its build). */
    private final SecureRandom random = new SecureRandom();
    private final AuditLog audit;
    private final RolloutService rollouts;

    public SlackCommands(SlackRepository repository, UserService users, ServerService servers, DeploymentService deployments,
                         NotifyConfig notify, AccessService access, AuditLog audit, RolloutService rollouts) {
        this.repository = repository;
        this.users = users;
        this.servers = servers;
        this.deployments = deployments;
        this.notify = notify;
        this.access = access;
        this.audit = audit;
        this.rollouts = rollouts;
    }

    /** The slash command as Slack sent it. */
    record Invocation(String slackUserId, String command, String text, String responseUrl, String clientIp) {
    }

    /**
     * A verified command, once: a replay (the same MAC again) is a 401; the command runs and its verb is recorded (never
     * its values: they may be secrets).
     */
    Uni<String> receive(String replayKey, Invocation in) {
        return repository.firstTime(replayKey).chain(first -> {
            if (!first) {
                throw new ProblemException(401, "Unauthorized", "This request was already received (a replay)");
            }
            return run(in).call(text -> audit.record(null, new Actor("slack:" + in.slackUserId(), null, in.clientIp()), "slack",
                    "chat.command", "slack", in.slackUserId(), verb(in.text()), true));
        });
    }

    /** The audit detail: the command's verb and server, never its values (they may be secrets). */
    static String verb(String text) {
        var words = SlackCommands.words(text);
        return words.isEmpty() ? "help" : words.get(0) + (words.size() > 1 && !words.get(1).contains("=") ? " " + words.get(1) : "");
    }

    Uni<String> run(Invocation in) {
        List<String> words = words(in.text());
        String verb = words.isEmpty() ? "help" : words.get(0).toLowerCase(Locale.ROOT);
        if (verb.equals("help")) {
            return Uni.createFrom().item(help(in.command()));
        }
        if (verb.equals("link")) {
            return linkCode(in);
        }
        return repository.userOf(in.slackUserId()).chain(id -> id == null ? Uni.createFrom().nullItem() : users.live(id))
                .chain(user -> {
                    if (user == null || !user.active()) {
                        return Uni.createFrom().item((user == null ? "Your Slack account is not linked to a trigger-deploy user. "
                                : "The trigger-deploy user linked to your Slack account is deactivated. ")
                                + "Run `" + in.command() + " link` and enter the code on your account page, or ask an admin.");
                    }
                    return act(verb, words, user, in).onFailure(ProblemException.class)
                            .recoverWithItem(e -> ":warning: " + e.getMessage());
                });
    }

    private Uni<String> act(String verb, List<String> words, UserCache.LiveUser user, Invocation in) {
        return switch (verb) {
            case "list" -> access.of(user.id(), user.role()).chain(a -> servers.list()
                    .map(l -> list(l.stream().filter(s -> a.sees(s.id())).toList())));
            case "status" -> one(words, "status <server>").chain(ref -> access.of(user.id(), user.role()).chain(a -> status(ref, a)));
            case "deploy" -> operator(user).chain(() -> deploy(words, user, in));
            case "rollout" -> operator(user).chain(() -> rollout(words, user, in));
            case "cancel" -> operator(user).chain(() -> access.of(user.id(), user.role()).chain(a -> cancel(words, a,
                    new Actor(user.username(), user.id(), in.clientIp()))));
            default -> Uni.createFrom().item("Unknown command `" + verb + "`.\n" + help(in.command()));
        };
    }

    static String help(String command) {
        String c = command == null || command.isBlank() ? "/deploy" : command;
        return "*trigger-deploy*\n"
                + "`" + c + " list`: the servers\n"
                + "`" + c + " status <server>`: its last deployment and what runs or waits\n"
                + "`" + c + " deploy <server> [REF=v1.2 NAME=value …]`: deploy (operators)\n"
                + "`" + c + " rollout <group|selector> [REF=v1.2 NAME=value … batch=2 strategy=canary max_failures=1 "
                + "on_breach=rollback]`: roll a release out over a group (`web`) or the servers a label selector picks "
                + "(`\"role=web,region=eu\"`), one server at a time unless `batch` says otherwise (operators)\n"
                + "`" + c + " cancel <id>`: cancel a queued or running deployment (operators)\n"
                + "`" + c + " link`: a code to link your Slack account on your trigger-deploy account page";
    }

    private Uni<String> linkCode(Invocation in) {
        StringBuilder code = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            code.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        String shown = code.substring(0, 5) + "-" + code.substring(5);
        return repository.saveCode(Signatures.sha256(code.toString()), in.slackUserId(), CODE_SECONDS)
                .map(v -> "Your link code is *" + shown + "*. Enter it on your trigger-deploy account page (Account → Slack) "
                        + "within " + CODE_SECONDS / 60 + " minutes. Nobody else needs to see it.");
    }

    /** The code as a user types it: letters and digits, any case, dashes and spaces ignored. */
    static String normalise(String code) {
        return code == null ? "" : code.replaceAll("[\\s-]", "").toUpperCase(Locale.ROOT);
    }

    private static Uni<Void> operator(UserCache.LiveUser user) {
        if (!user.role().atLeast(Role.OPERATOR)) {
            return Uni.createFrom().failure(new ProblemException(403, "Forbidden", "Deploying, rolling out and cancelling need the operator "
                    + "role; " + user.username() + " is a " + user.role().id()));
        }
        return Uni.createFrom().voidItem();
    }

    private String list(List<ServerView> all) {
        if (all.isEmpty()) {
            return "No servers are registered.";
        }
        StringBuilder sb = new StringBuilder("*Servers*\n");
        all.forEach(s -> sb.append("• `").append(s.alias()).append("` ").append(s.name())
                .append(s.environment() == null ? "" : " (" + s.environment() + ")").append(s.active() ? "" : " — inactive").append('\n'));
        return sb.toString().strip();
    }

    private Uni<String> status(String ref, Access a) {
        return servers.get(ref).invoke(s -> AccessService.requireVisible(a, s.id(), "server '" + ref + "' (looked up by id, alias and host)"))
                .chain(s -> deployments.page(String.valueOf(s.id()), null, null, null, null, null, 3, a)
                .map(page -> {
                    StringBuilder sb = new StringBuilder("*" + s.name() + "* (`" + s.alias() + "`)" + (s.active() ? "" : " — inactive"));
                    if (page.items().isEmpty()) {
                        return sb.append("\nNever deployed.").toString();
                    }
                    page.items().forEach(d -> sb.append("\n• #").append(d.id()).append(' ').append(d.status())
                            .append(d.ref() == null ? "" : " " + d.ref()).append(" by ").append(d.requestedBy())
                            .append(" — ").append(link(d.id())));
                    return sb.toString();
                }));
    }

    private Uni<String> deploy(List<String> words, UserCache.LiveUser user, Invocation in) {
        if (words.size() < 2) {
            return Uni.createFrom().item("Usage: `deploy <server> [REF=v1.2 NAME=value …]`");
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (String w : words.subList(2, words.size())) {
            var m = ASSIGNMENT.matcher(w);
            if (!m.matches()) {
                return Uni.createFrom().item("`" + w + "` is not NAME=value (names are upper case, like REF=v1.2)");
            }
            values.put(m.group(1), m.group(2));
        }
        TriggerCommand command = new TriggerCommand(words.get(1), "from Slack", user.username(), user.id(), "slack", "slack",
                new Actor(user.username(), user.id(), in.clientIp()), values, null, Acting.user(user.id(), user.username()));
        return deployments.trigger(command).call(d -> repository.rememberReply(d.id(), in.responseUrl()))
                .map(d -> ":rocket: Deployment #" + d.id() + " of `" + d.server() + "` queued"
                        + (d.ref() == null ? "" : " (" + d.ref() + ")") + ". I will post here when it starts and ends. " + link(d.id()));
    }

    /**
     * A rollout over a group (a plain name) or a label selector (a word with {@code =}, {@code !} or {@code (}), with the
     * release as upper-case NAME=value words and a few settings as lower-case ones; checked as the API checks it.
     */
    private Uni<String> rollout(List<String> words, UserCache.LiveUser user, Invocation in) {
        String usage = "Usage: `rollout <group|selector> [REF=v1.2 NAME=value … batch=2 strategy=rolling|canary|all_at_once "
                + "max_failures=1 on_breach=pause|abort|rollback]`";
        if (words.size() < 2 || ASSIGNMENT.matcher(words.get(1)).matches()) {
            return Uni.createFrom().item(usage);
        }
        String target = words.get(1);
        boolean selector = target.contains("=") || target.contains("!") || target.contains("(");
        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, Object> settings = new LinkedHashMap<>();
        for (String w : words.subList(2, words.size())) {
            var m = ASSIGNMENT.matcher(w);
            var s = SETTING.matcher(w);
            if (m.matches()) {
                values.put(m.group(1), m.group(2));
            } else if (s.matches()) {
                settings.put(s.group(1), s.group(2).matches("\\d{1,9}") ? (Object) Integer.valueOf(s.group(2)) : s.group(2));
            } else {
                return Uni.createFrom().item("`" + w + "` is neither NAME=value (a parameter, upper case) nor a setting.\n" + usage);
            }
        }
        RolloutRequest request = new RolloutRequest(new RolloutRequest.Target(selector ? null : target, null, selector ? target : null),
                (String) settings.get("strategy"), settings.get("batch"), number(settings.get("max_in_flight"), "max_in_flight"),
                settings.get("canary"), null, settings.get("max_failures"), (String) settings.get("on_breach"),
                number(settings.get("soak_seconds"), "soak_seconds"), null, null, null, null, null, null, null, values,
                "from Slack", null, null);
        Actor actor = new Actor(user.username(), user.id(), in.clientIp());
        return access.of(user.id(), user.role()).chain(a -> rollouts.create(request,
                new RolloutService.Caller(a, Acting.user(user.id(), user.username()), "slack", actor), false)).map(this::started);
    }

    private static Integer number(Object value, String field) {
        if (value == null || value instanceof Integer) {
            return (Integer) value;
        }
        throw ProblemException.invalid(field, "must be a whole number");
    }

    private String started(RolloutView r) {
        int hosts = r.waves().stream().mapToInt(List::size).sum();
        String what = "Rollout #" + r.id() + " of " + hosts + (hosts == 1 ? " server" : " servers") + " in " + r.waves().size()
                + (r.waves().size() == 1 ? " wave" : " waves") + (r.ref() == null ? "" : " (" + r.ref() + ")");
        String where = notify.publicUrl().map(u -> "<" + u.replaceAll("/+$", "") + "/rollouts/" + r.id() + "|#" + r.id() + ">")
                .orElse("/rollouts/" + r.id());
        return ("AWAITING_APPROVAL".equals(r.status()) ? ":hourglass: " + what + " awaits approval. "
                : ":rocket: " + what + " started; the channels hear when it pauses or ends. ") + where;
    }

    private Uni<String> cancel(List<String> words, Access a, Actor actor) {
        return one(words, "cancel <id>").chain(id -> {
            if (!id.matches("#?\\d{1,18}")) {
                return Uni.createFrom().item("Usage: `cancel <id>` (a deployment number)");
            }
            long n = Long.parseLong(id.replace("#", ""));
            return deployments.cancel(n, a, actor).map(d -> "Cancel requested for #" + d.id() + " (" + d.status() + "). " + link(d.id()));
        });
    }

    private static Uni<String> one(List<String> words, String usage) {
        if (words.size() != 2) {
            return Uni.createFrom().failure(ProblemException.badRequest("Usage: `" + usage + "`"));
        }
        return Uni.createFrom().item(words.get(1));
    }

    String link(long id) {
        return notify.publicUrl().map(u -> "<" + u.replaceAll("/+$", "") + "/deployments/" + id + "|#" + id + ">")
                .orElse("/deployments/" + id);
    }

    /** Words split on blanks; a value may be quoted ({@code NOTE="two words"} keeps its space). */
    static List<String> words(String text) {
        List<String> out = new java.util.ArrayList<>();
        var m = WORD.matcher(text == null ? "" : text.strip());
        while (m.find()) {
            out.add(m.group(1).replace("\"", ""));
        }
        return out;
    }

    /** The deployment as a progress line for Slack. */
    String progress(DeploymentView d, boolean started) {
        if (started) {
            return ":arrow_forward: Deployment #" + d.id() + " of `" + d.server() + "` started. " + link(d.id());
        }
        String icon = "SUCCEEDED".equals(d.status()) ? ":white_check_mark:" : ":x:";
        return icon + " Deployment #" + d.id() + " of `" + d.server() + "` " + d.status()
                + (d.durationMs() == null ? "" : " in " + d.durationMs() / 1000.0 + " s")
                + (d.failedStep() == null ? "" : " at step " + d.failedStep())
                + (d.error() == null ? "" : ": " + d.error()) + ". " + link(d.id());
    }
}
