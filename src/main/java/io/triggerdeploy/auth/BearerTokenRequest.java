package io.triggerdeploy.auth;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** A bearer credential from the Authorization header: a login JWT or an API token. */
public class BearerTokenRequest extends BaseAuthenticationRequest {

    private final String token;

    public BearerTokenRequest(String token) {
        this.token = token;
    }

    public String token() {
        return token;
    }
}
