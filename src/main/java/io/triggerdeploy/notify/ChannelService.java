package io.triggerdeploy.notify;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.db.Transactions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Notification channels: checked settings, write-only secrets. */
@ApplicationScoped
public class ChannelService {

    /** The kinds that post to a chat app's incoming webhook (its URL in {@code secret}). */
    static final Set<String> CHAT_KINDS = Set.of("slack", "teams", "discord");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\\[?[0-9A-Fa-f:.]+]?");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s<>\"]{1,64}@[A-Za-z0-9.-]{1,253}");
    private static final Pattern CHAT = Pattern.compile("-?\\d{1,20}|@[A-Za-z0-9_]{4,64}");
    private static final Pattern BOT_TOKEN = Pattern.compile("\\d{3,20}:[A-Za-z0-9_-]{20,100}");
    private static final Map<String, Set<String>> KEYS = Map.of(
            "email", Set.of("smtp_host", "smtp_port", "smtp_tls", "smtp_username", "from", "to"),
            "telegram", Set.of("chat_id", "api_base_url"),
            "webhook", Set.of("url"),
            // chat apps' incoming webhooks: the URL is the credential, so it is the channel's secret
            "slack", Set.of(), "teams", Set.of(), "discord", Set.of());

    private final ChannelRepository repository;
    private final ChannelAddressPolicy addresses;
    private final Transactions transactions;
    private final AuditLog audit;

    public ChannelService(ChannelRepository repository, ChannelAddressPolicy addresses, Transactions transactions, AuditLog audit) {
        this.repository = repository;
        this.addresses = addresses;
        this.transactions = transactions;
        this.audit = audit;
    }

    /** A stored channel, secret included (for sending only). */
    public record Channel(long id, String name, String kind, JsonObject settings, String secret, List<String> events,
                          boolean active) {
    }

    public Uni<List<ChannelView>> list() {
        return repository.list(ChannelService::view);
    }

    public Uni<ChannelView> get(long id) {
        return row(id).map(ChannelService::view);
    }

    public Uni<Channel> channel(long id) {
        return row(id).map(ChannelService::channel);
    }

    /** Active channels subscribed to an event. */
    public Uni<List<Channel>> subscribers(NotifyEvent event) {
        return repository.subscribers(event.id(), ChannelService::channel);
    }

    private Uni<Row> row(long id) {
        return repository.find(id, r -> r).map(r -> {
            if (r == null) {
                throw ProblemException.notFound("No notification channel " + id);
            }
            return r;
        });
    }

    public Uni<ChannelView> create(ChannelRequest req, Actor actor) {
        if (req.name() == null || req.name().isBlank()) {
            throw ProblemException.invalid("name", "is required");
        }
        if (req.kind() == null) {
            throw ProblemException.invalid("kind", "is required (email, telegram, webhook, slack, teams or discord)");
        }
        JsonObject settings = settings(req.kind(), req.settings() == null ? Map.of() : req.settings());
        String secret = secret(req.kind(), req.secret(), true);
        String events = events(req.events());
        String name = req.name().trim();
        return addresses.validate(req.kind(), settings, secret).chain(() -> transactions.run(tx -> repository.insert(tx, name, req.kind(),
                        settings, secret, events, req.active() == null || req.active())
                        .call(id -> audit.record(tx, actor, null, "channel.created", "channel", name,
                                req.kind() + ", events " + List.of(events.split(",")), true))))
                .chain(this::get);
    }

    public Uni<ChannelView> update(long id, ChannelRequest req, Actor actor) {
        return channel(id).chain(c -> {
            if (req.kind() != null && !req.kind().equals(c.kind())) {
                throw ProblemException.invalid("kind", "cannot change; create a new channel instead");
            }
            JsonObject settings = req.settings() == null ? c.settings() : settings(c.kind(), merge(c.settings(), req.settings()));
            String secret = req.secret() == null ? c.secret() : secret(c.kind(), req.secret(), true);
            String events = req.events() == null ? String.join(",", c.events()) : events(req.events());
            String name = req.name() == null ? c.name() : req.name().trim();
            boolean active = req.active() == null ? c.active() : req.active();
            return addresses.validate(c.kind(), settings, secret).chain(() -> transactions.run(tx -> repository.update(tx, id, name, settings,
                            secret, events, active).call(() -> audit.record(tx, actor, null, "channel.updated", "channel", name,
                            (active ? "active" : "inactive") + ", events " + List.of(events.split(","))
                                    + (req.secret() != null ? ", secret replaced" : ""), true))))
                    .chain(() -> get(id));
        });
    }

    public Uni<ChannelView> delete(long id, Actor actor) {
        return get(id).call(v -> transactions.run(tx -> repository.delete(tx, id)
                .call(() -> audit.record(tx, actor, null, "channel.deleted", "channel", v.name(), v.kind(), true))));
    }

    public Uni<Void> recordResult(long id, String error) {
        return repository.recordResult(id, error).onFailure().recoverWithNull();
    }

    private static Map<String, Object> merge(JsonObject current, Map<String, Object> changes) {
        Map<String, Object> m = new LinkedHashMap<>(current.getMap());
        m.putAll(changes);
        m.values().removeIf(v -> v == null);
        return m;
    }

    /** Checks and normalises settings; unknown keys are refused (a password must not hide in the visible part). */
    static JsonObject settings(String kind, Map<String, Object> in) {
        for (String k : in.keySet()) {
            if (!KEYS.get(kind).contains(k)) {
                throw ProblemException.invalid("settings." + k, "is not a setting of a " + kind + " channel (allowed: "
                        + String.join(", ", KEYS.get(kind).stream().sorted().toList()) + "); secrets go in 'secret'");
            }
        }
        JsonObject out = new JsonObject();
        switch (kind) {
            case "email" -> {
                String host = str(in, "smtp_host");
                if (host == null || !HOST.matcher(host).matches()) {
                    throw ProblemException.invalid("settings.smtp_host", "must be a host name or address");
                }
                out.put("smtp_host", host);
                out.put("smtp_port", port(in.get("smtp_port")));
                String tls = str(in, "smtp_tls") == null ? "starttls" : str(in, "smtp_tls");
                if (!Set.of("starttls", "tls", "none").contains(tls)) {
                    throw ProblemException.invalid("settings.smtp_tls", "must be starttls, tls or none");
                }
                out.put("smtp_tls", tls);
                if (str(in, "smtp_username") != null) {
                    out.put("smtp_username", str(in, "smtp_username"));
                }
                String from = str(in, "from");
                if (from == null || !EMAIL.matcher(from).matches()) {
                    throw ProblemException.invalid("settings.from", "must be an email address");
                }
                out.put("from", from);
                Object to = in.get("to");
                List<String> recipients = new ArrayList<>();
                if (to instanceof String s) {
                    for (String part : s.split("[,;\\s]+")) {
                        if (!part.isBlank()) {
                            recipients.add(part.trim());
                        }
                    }
                } else if (to instanceof List<?> l) {
                    l.forEach(x -> recipients.add(String.valueOf(x).trim()));
                }
                if (recipients.isEmpty() || recipients.size() > 20 || recipients.stream().anyMatch(r -> !EMAIL.matcher(r).matches())) {
                    throw ProblemException.invalid("settings.to", "must be 1 to 20 email addresses");
                }
                out.put("to", new JsonArray(recipients));
            }
            case "telegram" -> {
                String chat = str(in, "chat_id");
                if (chat == null || !CHAT.matcher(chat).matches()) {
                    throw ProblemException.invalid("settings.chat_id", "must be a numeric chat id or @channelname");
                }
                out.put("chat_id", chat);
                String base = str(in, "api_base_url") == null ? "https://api.telegram.org" : str(in, "api_base_url");
                out.put("api_base_url", httpUrl(base, "settings.api_base_url").replaceAll("/+$", ""));
            }
            case "slack", "teams", "discord" -> {
                // nothing visible: the incoming webhook's URL is the secret
            }
            default -> out.put("url", httpUrl(str(in, "url"), "settings.url"));
        }
        return out;
    }

    static String secret(String kind, String secret, boolean required) {
        if (secret == null || secret.isBlank()) {
            if (required && !kind.equals("email")) {
                throw ProblemException.invalid("secret", kind.equals("telegram") ? "the bot token is required"
                        : CHAT_KINDS.contains(kind) ? "the incoming webhook's URL is required (it is kept as a secret)"
                        : "a signing secret is required (receivers verify X-Trigger-Deploy-Signature with it)");
            }
            return null;
        }
        if (CHAT_KINDS.contains(kind)) {
            return httpUrl(secret, "secret");
        }
        if (kind.equals("telegram") && !BOT_TOKEN.matcher(secret.trim()).matches()) {
            throw ProblemException.invalid("secret", "does not look like a bot token (123456:ABC...)");
        }
        if (kind.equals("webhook") && secret.length() < 16) {
            throw ProblemException.invalid("secret", "must be at least 16 characters");
        }
        return secret.trim();
    }

    static String events(List<String> events) {
        if (events == null || events.isEmpty()) {
            throw ProblemException.invalid("events", "name at least one of " + String.join(", ", NotifyEvent.subscribable()));
        }
        List<String> out = new ArrayList<>();
        for (String e : events) {
            NotifyEvent ev = NotifyEvent.parse(e).orElseThrow(() -> ProblemException.invalid("events", "unknown event '" + e + "'"));
            if (!out.contains(ev.id())) {
                out.add(ev.id());
            }
        }
        return String.join(",", out);
    }

    private static int port(Object v) {
        if (v == null) {
            return 587;
        }
        try {
            int p = v instanceof Number n ? n.intValue() : Integer.parseInt(v.toString().trim());
            if (p >= 1 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // falls through
        }
        throw ProblemException.invalid("settings.smtp_port", "must be a port number");
    }

    private static String httpUrl(String url, String field) {
        try {
            URI u = URI.create(url == null ? "" : url.trim());
            if ((!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) || u.getHost() == null || u.getUserInfo() != null) {
                throw new IllegalArgumentException();
            }
            return u.toString();
        } catch (IllegalArgumentException e) {
            throw ProblemException.invalid(field, "must be an http or https URL without credentials");
        }
    }

    private static String str(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v == null || v.toString().isBlank() ? null : v.toString().trim();
    }

    private static Channel channel(Row r) {
        return new Channel(r.getLong("id"), r.getString("name"), r.getString("kind"), settingsOf(r), r.getString("secret"),
                List.of(r.getString("events").split(",")), r.getBoolean("active"));
    }

    private static JsonObject settingsOf(Row r) {
        Object v = r.getValue("settings");
        return v instanceof JsonObject j ? j : new JsonObject(String.valueOf(v));
    }

    private static ChannelView view(Row r) {
        return new ChannelView(r.getLong("id"), r.getString("name"), r.getString("kind"), settingsOf(r).getMap(),
                List.of(r.getString("events").split(",")), r.getBoolean("active"), r.getString("secret") != null,
                r.getOffsetDateTime("created_at"), r.getOffsetDateTime("updated_at"), r.getOffsetDateTime("last_sent_at"),
                r.getString("last_error"));
    }
}
