package io.triggerdeploy.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.stream.Stream;

/** The service's API as the command line calls it: a bearer token, JSON both ways, problems turned into exit codes. */
final class Api {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
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
        return send(request(path).header("Accept", "application/json").GET().build());
    }

    /** A text/plain answer as it is (a deployment's stored log). */
    String text(String path) {
        HttpRequest r = request(path).header("Accept", "text/plain").GET().build();
        try {
            HttpResponse<String> res = http.send(r, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (res.statusCode() >= 300) {
                throw failure(res.statusCode(), res.body());
            }
            return res.body();
        } catch (IOException e) {
            throw new Td.Exit(Td.UNREACHABLE, "cannot reach " + base + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Td.Exit(Td.CANCELLED, "interrupted");
        }
    }

    Object post(String path, Object body) {
        return send(request(path).header("Accept", "application/json").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body == null ? "{}" : Json.write(body), StandardCharsets.UTF_8)).build());
    }

    /** The live event stream of a deployment from after {@code lastEventId} (its lines, as SSE text lines). */
    Stream<String> events(long id, long lastEventId) throws IOException, InterruptedException {
        HttpRequest.Builder b = request("/api/deployments/" + id + "/events").header("Accept", "text/event-stream").GET();
        if (lastEventId > 0) {
            b.header("Last-Event-ID", String.valueOf(lastEventId));
        }
        HttpResponse<Stream<String>> r = http.send(b.build(), HttpResponse.BodyHandlers.ofLines());
        if (r.statusCode() != 200) {
            String text = String.join("\n", r.body().toList());
            throw failure(r.statusCode(), text);
        }
        return r.body();
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("User-Agent", "td/" + Td.VERSION);
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    private Object send(HttpRequest request) {
        HttpResponse<String> r;
        try {
            r = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new Td.Exit(Td.UNREACHABLE, "cannot reach " + base + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Td.Exit(Td.CANCELLED, "interrupted");
        }
        if (r.statusCode() >= 300) {
            throw failure(r.statusCode(), r.body());
        }
        String body = r.body();
        return body == null || body.isBlank() ? null : Json.parse(body);
    }

    /** A refusal as an exit: not signed in or not allowed (7), anything else the caller got wrong (2). */
    static Td.Exit failure(int status, String body) {
        String detail = body;
        try {
            Object problem = Json.parse(body);
            detail = Json.str(problem, "detail") != null ? Json.str(problem, "detail") : Json.str(problem, "title");
        } catch (IllegalArgumentException notJson) {
            detail = body == null || body.isBlank() ? "HTTP " + status : body.strip();
        }
        int code = status == 401 || status == 403 ? Td.UNREACHABLE : status >= 500 ? Td.UNREACHABLE : Td.USAGE;
        return new Td.Exit(code, "HTTP " + status + ": " + detail);
    }
}
