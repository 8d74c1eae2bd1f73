package io.triggerdeploy.deploy;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.triggerdeploy.cli.Td;
import io.triggerdeploy.support.Deploys;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.lang.JoseException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * CI identity federation end to end: a CI provider on loopback (its key set served by a plain HTTP server, its ID tokens
 * signed here like GitHub Actions' are), an issuer and a binding registered by an admin, the exchange, and what the
 * token may do (deploy where its team may, nothing else); and every refusal: replay, expiry, another audience, a key not
 * in the set, {@code alg: none}, no matching binding, a binding that would let any repository in, a deleted binding.
 */
@QuarkusTest
@TestProfile(Deploys.Profile.class)
class CiTokenTest extends DeployApiTest {

    private static final String AUDIENCE = "trigger-deploy-ci-test";
    private static HttpServer provider;
    private static final AtomicReference<String> KEY_SET = new AtomicReference<>();
    private static final AtomicInteger FETCHES = new AtomicInteger();
    private static RsaJsonWebKey key;
    /** What the stand-in for GitHub Actions' ID token endpoint hands out next, and the query it was last asked with. */
    private static final AtomicReference<String> GITHUB_TOKEN = new AtomicReference<>();
    private static final AtomicReference<String> GITHUB_QUERY = new AtomicReference<>();

    @BeforeAll
    static void provider() throws IOException, JoseException {
        key = rsa("k1");
        KEY_SET.set(new JsonWebKeySet(key).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY));
        provider = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        provider.createContext("/keys", exchange -> {
            FETCHES.incrementAndGet();
            byte[] body = KEY_SET.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        provider.createContext("/gh-token", exchange -> {
            boolean authorized = "bearer job-request-token".equals(exchange.getRequestHeaders().getFirst("Authorization"));
            GITHUB_QUERY.set(exchange.getRequestURI().getRawQuery());
            byte[] body = ("{\"count\":1,\"value\":\"" + GITHUB_TOKEN.get() + "\"}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(authorized ? 200 : 401, authorized ? body.length : -1);
            if (authorized) {
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        provider.start();
    }

    @AfterAll
    static void stopProvider() {
        provider.stop(0);
    }

    private static RsaJsonWebKey rsa(String kid) throws JoseException {
        RsaJsonWebKey k = RsaJwkGenerator.generateJwk(2048);
        k.setKeyId(kid);
        k.setAlgorithm(AlgorithmIdentifiers.RSA_USING_SHA256);
        return k;
    }

    private static String keysUrl() {
        return "http://127.0.0.1:" + provider.getAddress().getPort() + "/keys";
    }

    /** GitHub Actions' claims for a run of the workflow "Deploy" of {@code repository} on {@code ref}. */
    private static JwtClaims claims(String issuer, String repository, String ref, long expiresIn) {
        JwtClaims c = new JwtClaims();
        c.setIssuer(issuer);
        c.setAudience(AUDIENCE);
        c.setSubject("repo:" + repository + ":ref:" + ref);
        c.setIssuedAt(NumericDate.fromSeconds(Instant.now().getEpochSecond() - 5));
        c.setExpirationTime(NumericDate.fromSeconds(Instant.now().getEpochSecond() + expiresIn));
        c.setGeneratedJwtId();
        c.setClaim("repository", repository);
        c.setClaim("ref", ref);
        c.setClaim("workflow", "Deploy");
        c.setClaim("run_id", "1234");
        c.setClaim("sha", "0123456789abcdef0123456789abcdef01234567");
        c.setClaim("actor", "octocat");
        return c;
    }

    private static String sign(JwtClaims claims, RsaJsonWebKey with) throws JoseException {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(with.getPrivateKey());
        jws.setKeyIdHeaderValue(with.getKeyId());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        return jws.getCompactSerialization();
    }

    private static Response exchange(String idToken) {
        return given().contentType(ContentType.JSON).body(Map.of("token", idToken)).post("/api/auth/ci-token");
    }

    private record World(String issuer, String repository, String allowed, String other, String team, long binding) {
    }

    /** An issuer, a team with deploy (and approve) on one environment, a server there and one elsewhere, and a binding. */
    private World world() throws IOException {
        String issuer = "http://127.0.0.1:" + provider.getAddress().getPort() + "/" + unique("gh");
        String name = unique("gh-");
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", name, "issuer", issuer, "jwks_url", keysUrl(), "audience", AUDIENCE))
                .post("/api/ci-issuers").then().log().ifValidationFails().statusCode(201).header("Location", containsString("/api/ci-issuers/"))
                .body("issuer", equalTo(issuer));
        String env = environment(Map.of());
        String allowed = server(env, "echo \"deploying $REF\"");
        String other = server(environment(Map.of()), "echo elsewhere");
        String team = unique("ci-team-");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("name", team, "description", "CI")).post("/api/teams")
                .then().statusCode(201);
        for (String p : List.of("deploy", "approve")) {
            given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("environment", env, "team", team, "permission", p))
                    .post("/api/grants").then().statusCode(201);
        }
        String repository = "acme/" + unique("shop");
        long binding = given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("issuer", issuer, "team", team, "token_lifetime", "10m",
                        "claims", Map.of("repository", repository, "ref", "refs/heads/*")))
                .post("/api/ci-bindings").then().log().ifValidationFails().statusCode(201).body("team", equalTo(team))
                .extract().<Number>path("id").longValue();
        return new World(issuer, repository, allowed, other, team, binding);
    }

    @Test
    void aJobsIdTokenBecomesAShortLivedTokenThatDeploysWhereItsTeamMayAndNothingElse() throws Exception {
        World w = world();
        String idToken = sign(claims(w.issuer(), w.repository(), "refs/heads/main", 300), key);
        JsonPath issued = exchange(idToken).then().log().ifValidationFails().statusCode(200)
                .body("identity", equalTo("ci:" + w.repository() + ":Deploy#1234")).body("team", equalTo(w.team()))
                .body("token_type", equalTo("Bearer")).extract().jsonPath();
        String ci = issued.getString("token");
        assertThat(OffsetDateTime.parse(issued.getString("expires_at"))).isBefore(OffsetDateTime.now().plusSeconds(605))
                .isAfter(OffsetDateTime.now().plusSeconds(590));

        // it deploys where the team may, and the history names the job
        long id = accepted(trigger(ci, w.allowed(), null));
        awaitStatus(id, "SUCCEEDED");
        assertThat(get(id).getString("requested_by")).isEqualTo("ci:" + w.repository() + ":Deploy#1234");
        // it sees nothing else (a server without grants is open to every operator, not to a CI job)
        trigger(ci, w.other(), null).then().statusCode(404);
        assertThat(given().auth().oauth2(ci).get("/api/servers").then().statusCode(200).extract().jsonPath().getList("alias", String.class))
                .containsExactly(w.allowed());
        // and it does nothing but read, deploy, roll back and cancel: not approve (though its team may), not make tokens
        long waiting = accepted(trigger(admin, w.allowed(), null));
        decide(ci, waiting, "approve", null).then().statusCode(403).contentType(containsString("application/problem+json"))
                .body("detail", containsString("CI job"));
        given().auth().oauth2(ci).contentType(ContentType.JSON).body(Map.of("name", "x")).post("/api/tokens").then().statusCode(403);

        // the exchange is in the audit log with the repository, workflow and run
        JsonPath audit = given().auth().oauth2(admin).get("/api/audit?action=ci_token&limit=50").then().statusCode(200).extract().jsonPath();
        assertThat(audit.getList("items.detail", String.class)).anyMatch(d -> d.contains("repository " + w.repository())
                && d.contains("workflow Deploy") && d.contains("run 1234") && d.contains("ref refs/heads/main"));

        // one ID token, one exchange
        exchange(idToken).then().statusCode(401).body("detail", containsString("exchanged already"));

        // deleting the binding stops its tokens at once
        given().auth().oauth2(admin).delete("/api/ci-bindings/" + w.binding()).then().statusCode(204);
        trigger(ci, w.allowed(), null).then().statusCode(401);
    }

    @Test
    void expiredForeignUnsignedAndUnboundTokensAreRefusedAndNothingIsIssued() throws Exception {
        World w = world();
        exchange(sign(claims(w.issuer(), w.repository(), "refs/heads/main", -120), key)).then().statusCode(401)
                .contentType(containsString("application/problem+json")).body("detail", containsString("expired"));
        JwtClaims other = claims(w.issuer(), w.repository(), "refs/heads/main", 300);
        other.setAudience("someone-else");
        exchange(sign(other, key)).then().statusCode(401).body("detail", containsString("audience"));
        // alg none: the same claims, no signature
        String none = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + b64(claims(w.issuer(), w.repository(), "refs/heads/main", 300).toJson()) + ".";
        exchange(none).then().statusCode(401).body("detail", containsString("signed"));
        // an issuer nobody registered
        exchange(sign(claims("http://127.0.0.1:1/nobody", w.repository(), "refs/heads/main", 300), key)).then().statusCode(401)
                .body("detail", containsString("trusted CI issuer"));
        // a ref the binding does not cover: 403, audited, nothing issued
        exchange(sign(claims(w.issuer(), w.repository(), "refs/tags/v1", 300), key)).then().statusCode(403)
                .body("detail", containsString("No CI binding"));
        // another repository of the same provider
        exchange(sign(claims(w.issuer(), w.repository() + "-fork", "refs/heads/main", 300), key)).then().statusCode(403);
        exchange("not a token").then().statusCode(400).body("detail", containsString("token"));
        JsonPath audit = given().auth().oauth2(admin).get("/api/audit?action=ci_token&limit=50").then().statusCode(200).extract().jsonPath();
        assertThat(audit.getList("items.detail", String.class)).anyMatch(d -> d.contains("ref refs/tags/v1") && d.contains("no binding matches"));
    }

    @Test
    void rotatedKeysArePickedUpAndAForgedKeyIdFetchesNothing() throws Exception {
        World w = world();
        exchange(sign(claims(w.issuer(), w.repository(), "refs/heads/main", 300), key)).then().statusCode(200);
        // the provider rotates its keys: a token signed by the new key is accepted (the set is fetched again once)
        RsaJsonWebKey next = rsa(unique("k"));
        KEY_SET.set(new JsonWebKeySet(next, key).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY));
        int before = FETCHES.get();
        exchange(sign(claims(w.issuer(), w.repository(), "refs/heads/main", 300), next)).then().log().ifValidationFails().statusCode(200);
        assertThat(FETCHES.get()).isEqualTo(before + 1);
        // a key that is not in the set: refused, and (right after a fetch) no fetch for it
        RsaJsonWebKey forged = rsa(unique("forged"));
        exchange(sign(claims(w.issuer(), w.repository(), "refs/heads/main", 300), forged)).then().statusCode(401)
                .body("detail", containsString("not signed by a key"));
        assertThat(FETCHES.get()).isEqualTo(before + 1);
    }

    @Test
    void bindingsMustPinTheRepositoryAndIssuersTheirAddressesAndBadInputChangesNothing() throws Exception {
        World w = world();
        String issuerName = given().auth().oauth2(admin).get("/api/ci-issuers").then().statusCode(200).extract().jsonPath()
                .getList("findAll { it.issuer == '" + w.issuer() + "' }.name", String.class).get(0);
        Map<String, Object> binding = new HashMap<>(Map.of("name", unique("b-"), "issuer", issuerName, "team", w.team(),
                "claims", Map.of("ref", "refs/heads/main")));
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(binding).post("/api/ci-bindings").then().statusCode(400)
                .body("detail", containsString("claims")).body("detail", containsString("repository"));
        binding.put("claims", Map.of("repository", "acme/*"));
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(binding).post("/api/ci-bindings").then().statusCode(400);
        binding.put("claims", Map.of("repository", w.repository()));
        binding.put("token_lifetime", "2h");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(binding).post("/api/ci-bindings").then().statusCode(400)
                .body("detail", containsString("token_lifetime"));
        binding.put("token_lifetime", "soon");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(binding).post("/api/ci-bindings").then().statusCode(400)
                .body("detail", containsString("token_lifetime"));
        binding.put("token_lifetime", "15m");
        binding.put("team", "no-such-team");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(binding).post("/api/ci-bindings").then().statusCode(400)
                .body("detail", containsString("team"));
        given().auth().oauth2(operator).contentType(ContentType.JSON).body(binding).post("/api/ci-bindings").then().statusCode(403);
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", unique("x"), "issuer", "ftp://127.0.0.1/x", "jwks_url", keysUrl(), "audience", AUDIENCE))
                .post("/api/ci-issuers").then().statusCode(400).body("detail", containsString("issuer"));
        assertThat(given().auth().oauth2(admin).get("/api/ci-bindings").then().statusCode(200).extract().jsonPath()
                .getList("team", String.class).stream().filter(w.team()::equals)).hasSize(1);

        // an issuer whose key set sits outside the notifications' address policy: its tokens cannot be checked (503, nothing issued)
        String refusedIssuer = "http://127.0.0.1:" + provider.getAddress().getPort() + "/" + unique("v6");
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("name", unique("v6-"), "issuer", refusedIssuer, "jwks_url", "http://[::1]:" + provider.getAddress().getPort() + "/keys",
                        "audience", AUDIENCE)).post("/api/ci-issuers").then().statusCode(201);
        exchange(sign(claims(refusedIssuer, w.repository(), "refs/heads/main", 300), key)).then().statusCode(503)
                .body("detail", containsString("trigger.notify.allow-networks"));

        // deleting an issuer deletes its bindings: its jobs get nothing any more
        long issuerId = given().auth().oauth2(admin).get("/api/ci-issuers").then().statusCode(200).extract().jsonPath()
                .getLong("find { it.issuer == '" + w.issuer() + "' }.id");
        given().auth().oauth2(operator).delete("/api/ci-issuers/" + issuerId).then().statusCode(403);
        given().auth().oauth2(admin).delete("/api/ci-issuers/" + issuerId).then().statusCode(204);
        given().auth().oauth2(admin).delete("/api/ci-issuers/" + issuerId).then().statusCode(404);
        assertThat(given().auth().oauth2(admin).get("/api/ci-bindings").then().extract().jsonPath().getList("team", String.class))
                .doesNotContain(w.team());
        exchange(sign(claims(w.issuer(), w.repository(), "refs/heads/main", 300), key)).then().statusCode(401)
                .body("detail", containsString("trusted CI issuer"));
    }

    @Test
    void tdExchangesTheJobsIdTokenByItselfInGithubActionsAndWithTdIdToken() throws Exception {
        World w = world();
        Map<String, String> env = new HashMap<>();
        env.put("TD_URL", "http://127.0.0.1:" + RestAssured.port);
        env.put("TD_AUDIENCE", AUDIENCE);
        env.put("ACTIONS_ID_TOKEN_REQUEST_URL", "http://127.0.0.1:" + provider.getAddress().getPort() + "/gh-token?api-version=2.0");
        env.put("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "job-request-token");
        GITHUB_TOKEN.set(sign(claims(w.issuer(), w.repository(), "refs/heads/main", 300), key));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Td.run(new String[]{"deploy", w.allowed(), "--ref", "v9", "--wait"}, env,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("acting as ci:" + w.repository() + ":Deploy#1234").contains(w.team());
        assertThat(GITHUB_QUERY.get()).isEqualTo("api-version=2.0&audience=" + AUDIENCE);
        assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain(GITHUB_TOKEN.get()).doesNotContain("eyJ");

        // any CI that puts the job's ID token in TD_ID_TOKEN (GitLab's id_tokens)
        env.remove("ACTIONS_ID_TOKEN_REQUEST_URL");
        env.put("TD_ID_TOKEN", sign(claims(w.issuer(), w.repository(), "refs/heads/main", 300), key));
        out.reset();
        code = Td.run(new String[]{"servers"}, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains(w.allowed()).doesNotContain(w.other());
        // a job no binding covers gets nothing: exit 7 (not allowed), saying why
        env.put("TD_ID_TOKEN", sign(claims(w.issuer(), w.repository(), "refs/tags/v1", 300), key));
        err.reset();
        code = Td.run(new String[]{"servers"}, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(7);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("No CI binding");
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
