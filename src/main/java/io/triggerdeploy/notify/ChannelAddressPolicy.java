package io.triggerdeploy.notify;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.AddressPolicy;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.common.Workers;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.core.net.SocketAddress;
import io.vertx.mutiny.ext.web.client.HttpRequest;
import io.vertx.mutiny.ext.web.client.WebClient;

import java.net.InetAddress;
import java.net.URI;
import java.util.List;

/**
 * Which addresses notification channels (webhook URLs, a Telegram API base, SMTP hosts) may reach
 * ({@code trigger.notify.allow-networks} / {@code deny-networks}): by default nothing on loopback, link-local (cloud
 * metadata), unspecified or multicast addresses, so that a channel cannot be pointed at the service's own network.
 */
@jakarta.inject.Singleton // no client proxy: the policy is immutable and its base class has no no-args constructor
public class ChannelAddressPolicy extends AddressPolicy {

    public ChannelAddressPolicy(NotifyConfig config) {
        super(config.allowNetworks().orElse(List.of()), config.denyNetworks(), "trigger.notify");
    }

    /** Resolves on a worker and checks every address; the caller connects to the one returned. */
    public Uni<InetAddress> checked(String host) {
        return Workers.run(() -> resolve(host));
    }

    /** The host a channel connects to, from its settings. */
    static String hostOf(String kind, JsonObject settings) {
        return switch (kind) {
            case "email" -> settings.getString("smtp_host");
            case "telegram" -> URI.create(settings.getString("api_base_url")).getHost();
            default -> URI.create(settings.getString("url")).getHost();
        };
    }

    static String field(String kind) {
        return switch (kind) {
            case "email" -> "settings.smtp_host";
            case "telegram" -> "settings.api_base_url";
            case "slack", "teams", "discord" -> "secret";
            default -> "settings.url";
        };
    }

    /**
     * A request to {@code url} under this policy: every address of its host checked, the connection made to the checked
     * address (no second lookup that could answer differently), the Host header and the TLS name kept the URL's.
     */
    public Uni<HttpRequest<Buffer>> request(WebClient http, HttpMethod method, String url, long timeoutMs) {
        URI u = URI.create(url);
        boolean https = "https".equals(u.getScheme());
        int port = u.getPort() > 0 ? u.getPort() : https ? 443 : 80;
        String host = u.getHost().replace("[", "").replace("]", "");
        String path = (u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath()) + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
        RequestOptions options = new RequestOptions().setHost(host).setPort(port).setURI(path).setSsl(https);
        return checked(host).map(address -> http.request(method, SocketAddress.inetSocketAddress(port, address.getHostAddress()), options)
                .timeout(timeoutMs));
    }

    /** A channel that could not be delivered to is refused when it is saved: 400 naming the field. */
    Uni<Void> validate(String kind, JsonObject settings, String secret) {
        String host = (ChannelService.CHAT_KINDS.contains(kind) ? URI.create(secret).getHost() : hostOf(kind, settings))
                .replace("[", "").replace("]", "");
        return checked(host).replaceWithVoid()
                .onFailure(Refused.class).transform(e -> ProblemException.invalid(field(kind), e.getMessage()))
                // an unknown host may exist by the time messages are sent; it is not the policy's to refuse
                .onFailure(IllegalStateException.class).recoverWithNull();
    }
}
