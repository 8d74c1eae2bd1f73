package io.triggerdeploy.common;

import io.vertx.core.http.HttpServerRequest;

import java.util.Locale;

/**
 * The one way to read a caller's address. Behind a proxy, Quarkus' forwarding settings
 * ({@code quarkus.http.proxy.*}) have already replaced the peer with the forwarded client, so every feature records
 * the same value for the same caller: the address in lower case (IPv6 compares equal however it was written).
 */
public final class ClientAddress {

    /** What rate limits key on when a request has no address at all (a unit test, a closed socket). */
    public static final String UNKNOWN = "unknown";

    private ClientAddress() {
    }

    /** The client's address, or null when the request has none. */
    public static String of(HttpServerRequest request) {
        if (request == null || request.remoteAddress() == null || request.remoteAddress().hostAddress() == null) {
            return null;
        }
        return request.remoteAddress().hostAddress().toLowerCase(Locale.ROOT);
    }

    /** The client's address, or {@link #UNKNOWN}: for keys that must not be null. */
    public static String orUnknown(HttpServerRequest request) {
        String a = of(request);
        return a == null ? UNKNOWN : a;
    }
}
