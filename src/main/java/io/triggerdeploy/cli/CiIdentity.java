package io.triggerdeploy.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * td in a CI job without a stored token: the job's own ID token (GitHub Actions with {@code id-token: write}, or any CI
 * that puts one in {@code TD_ID_TOKEN}, e.g. GitLab's {@code id_tokens}) exchanged for a short-lived token at
 * {@code POST /api/auth/ci-token}. The audience asked for is {@code TD_AUDIENCE}, else the service's URL.
 */
final class CiIdentity {

    private CiIdentity() {
    }

    /** The token to call the service with: TD_TOKEN or --token when given, else one for the job's identity, else none. */
    static String token(Options o, PrintStream err) {
        if (o.token != null && !o.token.isBlank()) {
            return o.token;
        }
        Map<String, String> env = o.env;
        String audience = env.get("TD_AUDIENCE") != null && !env.get("TD_AUDIENCE").isBlank() ? env.get("TD_AUDIENCE").strip()
                : o.url.endsWith("/") ? o.url.substring(0, o.url.length() - 1) : o.url;
        String idToken = env.get("TD_ID_TOKEN");
        if ((idToken == null || idToken.isBlank()) && env.get("ACTIONS_ID_TOKEN_REQUEST_URL") != null
                && env.get("ACTIONS_ID_TOKEN_REQUEST_TOKEN") != null) {
            idToken = github(env.get("ACTIONS_ID_TOKEN_REQUEST_URL"), env.get("ACTIONS_ID_TOKEN_REQUEST_TOKEN"), audience);
        }
        if (idToken == null || idToken.isBlank()) {
            return null;
        }
        Object issued = new Api(o.url, null).post("/api/auth/ci-token", Map.of("token", idToken.strip()));
        err.println("td: acting as " + Json.str(issued, "identity") + " (team " + Json.str(issued, "team") + ", until "
                + Json.str(issued, "expires_at") + ")");
        return Json.str(issued, "token");
    }

    /** GitHub Actions' ID token for {@code audience} (the job needs {@code permissions: id-token: write}). */
    private static String github(String requestUrl, String requestToken, String audience) {
        String url = requestUrl + (requestUrl.contains("?") ? "&" : "?") + "audience=" + URLEncoder.encode(audience, StandardCharsets.UTF_8);
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
            c.setConnectTimeout(10_000);
            c.setReadTimeout(30_000);
            c.setInstanceFollowRedirects(false);
            c.setRequestProperty("Authorization", "bearer " + requestToken);
            c.setRequestProperty("Accept", "application/json");
            int status = c.getResponseCode();
            if (status != 200) {
                throw new Td.Exit(Td.UNREACHABLE, "GitHub Actions gave no ID token (HTTP " + status + "): does the job have "
                        + "'permissions: id-token: write'?");
            }
            try (InputStream in = c.getInputStream()) {
                String value = Json.str(Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)), "value");
                if (value == null) {
                    throw new Td.Exit(Td.UNREACHABLE, "GitHub Actions' ID token answer has no value");
                }
                return value;
            }
        } catch (IOException e) {
            throw new Td.Exit(Td.UNREACHABLE, "cannot get the job's ID token from GitHub Actions: " + e.getMessage());
        }
    }
}
