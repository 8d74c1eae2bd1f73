package io.triggerdeploy.common;

import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.MDC;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Gives every HTTP request an id (the caller's sane {@code X-Request-Id}, or a new one), puts it in the log MDC
 * so every line logged for the request carries it, and echoes it in the response.
 */
@ApplicationScoped
public class RequestIdFilter {

    static final String HEADER = "X-Request-Id";
    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    void install(@Observes Router router) {
        router.route().order(-1000).handler(rc -> {
            String incoming = rc.request().getHeader(HEADER);
            String id = incoming != null && SANE.matcher(incoming).matches() ? incoming : UUID.randomUUID().toString();
            MDC.put("request_id", id);
            rc.response().putHeader(HEADER, id);
            rc.next();
        });
    }
}
