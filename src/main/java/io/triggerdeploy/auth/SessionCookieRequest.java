package io.triggerdeploy.auth;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** The value of the browser session cookie. */
public class SessionCookieRequest extends BaseAuthenticationRequest {

    private final String value;

    public SessionCookieRequest(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }
}
