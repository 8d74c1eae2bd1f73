package io.triggerdeploy.audit;

import io.quarkus.security.identity.SecurityIdentity;
import io.triggerdeploy.auth.TriggerPrincipal;
import io.vertx.core.http.HttpServerRequest;

/** Who acts and from where: the caller's name and id (null for anonymous callers) and client address. */
public record Actor(String name, Long id, String ip) {

    public static Actor of(SecurityIdentity identity, HttpServerRequest request) {
        String ip = address(request);
        if (identity == null || identity.isAnonymous() || !(identity.getPrincipal() instanceof TriggerPrincipal p)) {
            return new Actor(null, null, ip);
        }
        return new Actor(p.username(), p.userId(), ip);
    }

    public static Actor of(TriggerPrincipal p, HttpServerRequest request) {
        return new Actor(p.username(), p.userId(), address(request));
    }

    public static Actor anonymous(String name, HttpServerRequest request) {
        return new Actor(name, null, address(request));
    }

    public static String address(HttpServerRequest request) {
        return request == null || request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
    }
}
