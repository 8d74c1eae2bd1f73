package io.triggerdeploy.notify;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.Signatures;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mail.LoginOption;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailMessage;
import io.vertx.ext.mail.StartTLSOptions;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.mail.MailClient;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * Sends messages to channels. Nothing here blocks a thread: SMTP and HTTP run on Vert.x clients, retries wait on
 * timers. A message that still fails after {@code trigger.notify.attempts} is logged (never with the secret) and
 * dropped; a deployment is never held up or failed by a notification.
 */
@ApplicationScoped
public class Notifier {

    public static final String SIGNATURE_HEADER = "X-Trigger-Deploy-Signature";
    private static final Logger LOG = Logger.getLogger(Notifier.class);

    private final ChannelService channels;
    private final NotifyConfig config;
    private final Vertx vertx;
    private final ChannelAddressPolicy addresses;
    private final WebClient http;

    /** Retry timers not fired yet: cancelled at shutdown, so no retry runs after the container is gone. */
    private final java.util.Set<Long> retries = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    public Notifier(ChannelService channels, NotifyConfig config, Vertx vertx, ChannelAddressPolicy addresses) {
        this.channels = channels;
        this.config = config;
        this.vertx = vertx;
        this.addresses = addresses;
        this.http = WebClient.create(vertx, new WebClientOptions()
                .setConnectTimeout((int) config.timeout().toMillis())
                .setFollowRedirects(false)
                .setUserAgent("trigger-deploy"));
    }

    @PreDestroy
    void close() {
        closed = true;
        int dropped = 0;
        for (Long timer : retries) {
            if (vertx.cancelTimer(timer)) {
                dropped++;
            }
        }
        retries.clear();
        if (dropped > 0) {
            LOG.infof("Shutting down: %d notification retries not sent", dropped);
        }
        http.close();
    }

    /** Sends to every active channel subscribed to the message's event; returns at once. */
    public void publish(Message message) {
        channels.subscribers(message.event()).subscribe().with(
                list -> list.forEach(c -> deliver(c, message, 1)),
                failure -> LOG.warnf("Could not load notification channels for %s: %s", message.event().id(), failure.getMessage()));
    }

    private void deliver(ChannelService.Channel channel, Message message, int attempt) {
        if (closed) {
            return;
        }
        send(channel, message).subscribe().with(
                ok -> channels.recordResult(channel.id(), null).subscribe().with(x -> { }, x -> { }),
                failure -> {
                    String why = describe(failure);
                    if (attempt < config.attempts()) {
                        long delay = Duration.ofSeconds(2).toMillis() * (long) Math.pow(4, attempt - 1);
                        LOG.debugf("Notification %s to channel '%s' failed (attempt %d): %s; retrying in %d ms",
                                message.event().id(), channel.name(), attempt, why, delay);
                        long timer = vertx.setTimer(delay, t -> {
                            retries.remove(t);
                            deliver(channel, message, attempt + 1);
                        });
                        retries.add(timer);
                    } else {
                        LOG.warnf("Notification %s to channel '%s' (%s) failed after %d attempts: %s",
                                message.event().id(), channel.name(), channel.kind(), attempt, why);
                        channels.recordResult(channel.id(), why).subscribe().with(x -> { }, x -> { });
                    }
                });
    }

    /** One attempt. */
    public Uni<Void> send(ChannelService.Channel channel, Message message) {
        return switch (channel.kind()) {
            case "email" -> email(channel, message);
            case "telegram" -> telegram(channel, message);
            case "slack", "teams", "discord" -> chat(channel, message);
            default -> webhook(channel, message);
        };
    }

    /**
     * A chat app's incoming webhook (its URL is the channel's secret): Slack and Microsoft Teams take {@code text},
     * Discord {@code content} (at most 2,000 characters).
     */
    private Uni<Void> chat(ChannelService.Channel c, Message m) {
        String text = m.subject() + "\n" + m.text();
        JsonObject body = "discord".equals(c.kind())
                ? new JsonObject().put("content", text.length() > 2000 ? text.substring(0, 1997) + "..." : text)
                : new JsonObject().put("text", text);
        String app = switch (c.kind()) {
            case "slack" -> "Slack";
            case "teams" -> "Teams";
            default -> "Discord";
        };
        return post(c.secret()).chain(request -> request.putHeader("Content-Type", "application/json")
                .sendBuffer(Buffer.buffer(body.encode()))).map(r -> check(r, app));
    }

    private Uni<Void> email(ChannelService.Channel c, Message m) {
        JsonObject s = c.settings();
        String tls = s.getString("smtp_tls", "starttls");
        MailConfig mc = new MailConfig()
                .setHostname(s.getString("smtp_host"))
                .setPort(s.getInteger("smtp_port", 587))
                .setSsl("tls".equals(tls))
                .setStarttls("starttls".equals(tls) ? StartTLSOptions.REQUIRED : StartTLSOptions.DISABLED)
                .setConnectTimeout((int) config.timeout().toMillis())
                .setMaxPoolSize(1)
                .setKeepAlive(false);
        if (s.getString("smtp_username") != null) {
            mc.setUsername(s.getString("smtp_username")).setPassword(c.secret()).setLogin(LoginOption.REQUIRED);
        } else {
            mc.setLogin(LoginOption.DISABLED);
        }
        @SuppressWarnings("unchecked")
        List<String> to = s.getJsonArray("to").getList();
        MailMessage mail = new MailMessage().setFrom(s.getString("from")).setTo(to).setSubject(m.subject()).setText(m.text());
        // Every address of the host must pass the policy. Without TLS the connection goes to the address that was
        // checked (no second lookup that could answer differently); with TLS or STARTTLS it goes by name, because the
        // mail client verifies the server's certificate against that name: a rebound name would not hold the cert.
        return addresses.checked(s.getString("smtp_host")).chain(address -> {
            MailClient client = MailClient.create(vertx, "none".equals(tls) ? mc.setHostname(address.getHostAddress()) : mc);
            return client.sendMail(mail)
                    .ifNoItem().after(config.timeout().plusSeconds(5)).fail()
                    .replaceWithVoid()
                    .eventually(client::close);
        });
    }

    /**
     * POSTs a JSON body to {@code url} under the channels' address policy (e.g. a Slack response_url); fails on an
     * address the policy refuses or an answer other than 2xx.
     */
    public Uni<Void> postJson(String url, JsonObject body) {
        return Uni.createFrom().deferred(() -> post(url)).chain(request -> request.putHeader("Content-Type", "application/json")
                .sendBuffer(Buffer.buffer(body.encode()))).map(r -> check(r, "The reply URL"));
    }

    /** A POST to the checked address of the URL's host (Host header and TLS name stay the URL's). */
    private Uni<io.vertx.mutiny.ext.web.client.HttpRequest<Buffer>> post(String url) {
        return addresses.request(http, io.vertx.core.http.HttpMethod.POST, url, config.timeout().toMillis());
    }

    private Uni<Void> telegram(ChannelService.Channel c, Message m) {
        String url = c.settings().getString("api_base_url") + "/bot" + c.secret() + "/sendMessage";
        JsonObject body = new JsonObject().put("chat_id", c.settings().getString("chat_id"))
                .put("text", m.subject() + "\n\n" + m.text()).put("disable_web_page_preview", true);
        return post(url).chain(request -> request.sendJsonObject(body)).map(r -> check(r, "Telegram"));
    }

    private Uni<Void> webhook(ChannelService.Channel c, Message m) {
        JsonObject payload = new JsonObject().put("event", m.event().id()).put("subject", m.subject()).put("text", m.text())
                .put("data", new JsonObject(m.payload()));
        byte[] body = payload.encode().getBytes(StandardCharsets.UTF_8);
        return post(c.settings().getString("url")).chain(request -> {
            request.putHeader("Content-Type", "application/json")
                    .putHeader("X-Trigger-Deploy-Event", m.event().id())
                    .putHeader("X-Trigger-Deploy-Delivery", UUID.randomUUID().toString());
            if (c.secret() != null) {
                request.putHeader(SIGNATURE_HEADER, "sha256=" + Signatures.hmacHex("sha256", c.secret(), body));
            }
            return request.sendBuffer(Buffer.buffer(body));
        }).map(r -> check(r, "Webhook"));
    }

    private static Void check(HttpResponse<Buffer> r, String what) {
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(what + " answered HTTP " + r.statusCode());
        }
        return null;
    }

    /** A failure in words, without URLs (a Telegram URL carries the bot token). */
    static String describe(Throwable t) {
        String msg = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return msg.replaceAll("https?://\\S+", "<url>").replaceAll("bot\\d+:[A-Za-z0-9_-]+", "bot<token>");
    }
}
