package io.triggerdeploy.ci;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.AddressPolicy;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.notify.ChannelAddressPolicy;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.lang.JoseException;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The CI issuers' signing keys: fetched from each issuer's key set URL under the notifications' address policy (the connection goes
 * to the address that was checked; the Host header and the TLS name stay the URL's), kept for {@code trigger.ci.keys-ttl},
 * and fetched again when a token names a key not seen yet (for that, at most every 30 s per issuer: forged key ids cost
 * nothing).
 */
@ApplicationScoped
public class CiKeys {

    private static final Logger LOG = Logger.getLogger(CiKeys.class);
    private static final Duration REFETCH = Duration.ofSeconds(30);
    private static final int MAX_BYTES = 512 * 1024;

    private record Entry(String url, JsonWebKeySet keys, long fetchedAt, long unknownKeyFetchAt) {
    }

    private final CiConfig config;
    private final ChannelAddressPolicy policy;
    private final WebClient http;
    private final Map<Long, Entry> cache = new ConcurrentHashMap<>();

    public CiKeys(CiConfig config, ChannelAddressPolicy policy, Vertx vertx) {
        this.config = config;
        this.policy = policy;
        this.http = WebClient.create(vertx, new WebClientOptions().setConnectTimeout((int) config.timeout().toMillis())
                .setFollowRedirects(false).setUserAgent("trigger-deploy"));
    }

    /** The issuer's keys: the kept ones while fresh, else fetched; {@code unknownKey}: fetched again unless that was just done. */
    Uni<JsonWebKeySet> of(CiIssuer issuer, boolean unknownKey) {
        Entry e = cache.get(issuer.id());
        long now = System.nanoTime();
        if (e != null && e.url().equals(issuer.jwksUrl())) {
            boolean fresh = now - e.fetchedAt() < config.keysTtl().toNanos();
            boolean refetchedLately = e.unknownKeyFetchAt() != 0 && now - e.unknownKeyFetchAt() < REFETCH.toNanos();
            if (unknownKey ? refetchedLately : fresh) {
                return Uni.createFrom().item(e.keys());
            }
        }
        return fetch(issuer.jwksUrl()).map(keys -> {
            long at = System.nanoTime();
            cache.put(issuer.id(), new Entry(issuer.jwksUrl(), keys, at, unknownKey ? at : e == null ? 0 : e.unknownKeyFetchAt()));
            return keys;
        });
    }

    /** Forgets an issuer's keys (it was deleted or changed). */
    void forget(long issuerId) {
        cache.remove(issuerId);
    }

    private Uni<JsonWebKeySet> fetch(String url) {
        String host = URI.create(url).getHost();
        return policy.request(http, HttpMethod.GET, url, config.timeout().toMillis())
                .chain(request -> request.putHeader("Accept", "application/json").send())
                .onFailure().transform(e -> {
                    LOG.warnf("CI issuer keys at %s could not be fetched: %s", url, e.getMessage());
                    return e instanceof AddressPolicy.Refused ? ProblemException.unavailable("The CI issuer's keys may not be fetched from "
                            + host + ": " + e.getMessage()) : unavailable();
                })
                .map(r -> {
                    if (r.statusCode() != 200 || r.body() == null || r.body().length() > MAX_BYTES) {
                        LOG.warnf("CI issuer keys at %s: answer %d", url, r.statusCode());
                        throw unavailable();
                    }
                    try {
                        return new JsonWebKeySet(r.bodyAsString());
                    } catch (JoseException e) {
                        LOG.warnf("CI issuer keys at %s could not be read: %s", url, e.getMessage());
                        throw unavailable();
                    }
                });
    }

    private static ProblemException unavailable() {
        return ProblemException.unavailable("The CI issuer's keys cannot be fetched right now; try again shortly");
    }
}
