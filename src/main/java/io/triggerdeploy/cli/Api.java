package io.triggerdeploy.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * The service's API as the command line calls it: a bearer token, JSON both ways, problems turned into exit codes.
 * {@link HttpURLConnection} rather than the newer HTTP client: a command that makes two or three calls and exits pays
 * for every class it loads, and the newer client sets up TLS and a selector thread before its first plain-http call
 * (about 400 ms on a small machine; this costs a few tens).
 */
final class Api {

    private static final int CONNECT_MS = 10_000;
    private static final int READ_MS = 60_000;

    private final String base;
    private final String token;

    Api(String base, String token) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.token = token;
    }

    String base() {
        return base;
    }

    Object get(String path) {
        String body = call("GET", path, null, "application/json");
        return body == null || body.isBlank() ? null : Json.parse(body);
    }

    /** A text/plain answer as it is (a deployment's stored log). */
    String text(String path) {
        return call("GET", path, null, "text/plain");
    }

    Object post(String path, Object body) {
        String answer = call("POST", path, body == null ? "{}" : Json.write(body), "application/json");
        return answer == null || answer.isBlank() ? null : Json.parse(answer);
    }

    /**
     * The live event stream of a deployment from after {@code lastEventId}, as SSE text lines; the caller closes the
     * reader (and so the connection). A quiet stream longer than the read timeout ends in an IOException: resume.
     */
    BufferedReader events(long id, long lastEventId) throws IOException {
        HttpURLConnection c = open("GET", "/api/deployments/" + id + "/events", "text/event-stream");
        if (lastEventId > 0) {
            c.setRequestProperty("Last-Event-ID", String.valueOf(lastEventId));
        }
        int status = c.getResponseCode();
        if (status != 200) {
            throw failure(status, read(c.getErrorStream()));
        }
        return new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8));
    }

    private String call(String method, String path, String json, String accept) {
        try {
            HttpURLConnection c = open(method, path, accept);
            if (json != null) {
                c.setDoOutput(true);
                c.setRequestProperty("Content-Type", "application/json");
                try (OutputStream out = c.getOutputStream()) {
                    out.write(json.getBytes(StandardCharsets.UTF_8));
                }
            }
            int status = c.getResponseCode();
            if (status >= 300) {
                throw failure(status, read(c.getErrorStream()));
            }
            return read(c.getInputStream());
        } catch (IOException e) {
            throw new Td.Exit(Td.UNREACHABLE, "cannot reach " + base + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
    }

    private HttpURLConnection open(String method, String path, String accept) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(base + path).toURL().openConnection();
        c.setRequestMethod(method);
        c.setConnectTimeout(CONNECT_MS);
        c.setReadTimeout(READ_MS);
        c.setInstanceFollowRedirects(false);
        c.setRequestProperty("Accept", accept);
        c.setRequestProperty("User-Agent", "td/" + Td.VERSION);
        if (token != null) {
            c.setRequestProperty("Authorization", "Bearer " + token);
        }
        return c;
    }

    private static String read(InputStream in) throws IOException {
        if (in == null) {
            return "";
        }
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** A refusal as an exit: not signed in, not allowed or the service failing (7), anything else the caller got wrong (2). */
    static Td.Exit failure(int status, String body) {
        String detail;
        try {
            Object problem = Json.parse(body);
            detail = Json.str(problem, "detail") != null ? Json.str(problem, "detail") : Json.str(problem, "title");
        } catch (IllegalArgumentException notJson) {
            detail = body == null || body.isBlank() ? "HTTP " + status : body.strip();
        }
        int code = status == 401 || status == 403 || status >= 500 ? Td.UNREACHABLE : Td.USAGE;
        return new Td.Exit(code, "HTTP " + status + ": " + detail);
    }
}
