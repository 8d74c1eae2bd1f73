package io.triggerdeploy.audit;

import io.quarkus.security.identity.SecurityIdentity;
import io.triggerdeploy.common.ClientAddress;
import io.triggerdeploy.security.TriggerPrincipal;
import io.vertx.core.http.HttpServerRequest;

/** Who acts and from where: the caller's name and id (null for anonymous callers) and client address. */
public record Actor(String name, Long id, String ip) {

    public static Actor of(SecurityIdentity identity, HttpServerRequest request) {
        String ip = ClientAddress.of(request);
        if (identity == null || identity.isAnonymous() || !(identity.getPrincipal() instanceof TriggerPrincipal p)) {
            return new Actor(null, null, ip);
        }
        return new Actor(p.username(), p.userId(), ip);
    }

    public static Actor of(TriggerPrincipal p, HttpServerRequest request) {
        return new Actor(p.username(), p.userId(), ClientAddress.of(request));
    }

    public static Actor anonymous(String name, HttpServerRequest request) {
        return new Actor(name, null, ClientAddress.of(request));
    }

}
