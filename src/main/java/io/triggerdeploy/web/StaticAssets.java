package io.triggerdeploy.web;

import io.quarkus.qute.TemplateGlobal;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Versioned URLs for the pages' CSS, JS and icon: {@code /static/app.css?v=<hash of the files>}. A request carrying
 * the current version may be cached for a year (the URL changes with the content); any other request to
 * {@code /static/} is revalidated, so an upgrade is seen at once.
 */
@ApplicationScoped
public class StaticAssets {

    /** Every file under {@code META-INF/resources/static/}; a test keeps this list equal to the folder. */
    static final List<String> FILES = List.of("app.css", "charts.js", "favicon.svg", "js/account.js", "js/actions.js", "js/api.js",
            "js/deployment.js", "js/dialogs.js", "js/dom.js", "js/forms.js", "js/main.js", "js/nav.js", "js/params.js", "js/rollout.js",
            "js/rows.js", "js/util.js", "theme.js");

    static final String IMMUTABLE = "public, max-age=31536000, immutable";
    static final String REVALIDATE = "no-cache";

    private static volatile String version;

    /** The version all templates put on static URLs, as {@code {assetVersion}}. */
    @TemplateGlobal
    public static String assetVersion() {
        String v = version;
        if (v == null) {
            v = compute();
            version = v;
        }
        return v;
    }

    private static String compute() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            ClassLoader cl = Thread.currentThread().getContextClassLoader();
            for (String f : FILES) {
                try (InputStream in = cl.getResourceAsStream("META-INF/resources/static/" + f)) {
                    if (in == null) {
                        throw new IllegalStateException("missing static file " + f);
                    }
                    sha.update(f.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    sha.update(in.readAllBytes());
                }
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 12);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    void cacheHeaders(@Observes Router router) {
        router.route("/static/*").order(-10).handler(rc -> {
            String v = rc.request().getParam("v");
            String policy = v != null && v.equals(assetVersion()) ? IMMUTABLE : REVALIDATE;
            rc.addHeadersEndHandler(x -> {
                if (rc.response().getStatusCode() == 200 || rc.response().getStatusCode() == 304) {
                    rc.response().headers().set("Cache-Control", policy);
                }
            });
            rc.next();
        });
    }
}
