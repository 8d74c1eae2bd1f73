package io.triggerdeploy.federation;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.triggerdeploy.support.ApiTest;
import io.triggerdeploy.support.KeycloakTestResource;
import io.triggerdeploy.support.TestKeycloak;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/**
 * OIDC sign-in against a real Keycloak: the authorization code flow with PKCE through Keycloak's own login form (driven
 * here over HTTP, in {@code BrowserTest} by Chromium), groups mapped to roles and teams, names that belong to local
 * users refused, deactivation, logout at Keycloak too, a tampered or replayed state, access tokens as bearer tokens
 * (audience checked), and Keycloak down with local users still signing in.
 */
@QuarkusTest
@TestProfile(KeycloakTest.WithKeycloak.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KeycloakTest extends ApiTest {

    public static class WithKeycloak implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(KeycloakTestResource.class));
        }
    }

    /** A browser without a browser: cookies per host and port, redirects followed by hand. */
    static final class Agent {
        private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5)).build();
        private final Map<String, Map<String, String>> cookies = new HashMap<>();

        HttpResponse<String> get(String url) throws IOException, InterruptedException {
            return send(HttpRequest.newBuilder(URI.create(url)).GET(), url);
        }

        HttpResponse<String> post(String url, Map<String, String> form) throws IOException, InterruptedException {
            String body = form.entrySet().stream().map(e -> enc(e.getKey()) + "=" + enc(e.getValue())).collect(Collectors.joining("&"));
            return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(body)), url);
        }

        String cookie(String url, String name) {
            return jar(url).get(name);
        }

        void forget(String url, String name) {
            jar(url).remove(name);
        }

        private HttpResponse<String> send(HttpRequest.Builder b, String url) throws IOException, InterruptedException {
            Map<String, String> jar = jar(url);
            if (!jar.isEmpty()) {
                b.header("Cookie", jar.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("; ")));
            }
            HttpResponse<String> r = http.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            for (String set : r.headers().allValues("Set-Cookie")) {
                String pair = set.split(";", 2)[0];
                int eq = pair.indexOf('=');
                String name = pair.substring(0, eq).trim();
                String value = pair.substring(eq + 1).trim();
                if (value.isEmpty() || value.equals("\"\"") || set.toLowerCase().contains("max-age=0")) {
                    jar.remove(name);
                } else {
                    jar.put(name, value);
                }
            }
            return r;
        }

        private Map<String, String> jar(String url) {
            URI u = URI.create(url);
            return cookies.computeIfAbsent(u.getHost() + ":" + u.getPort(), k -> new HashMap<>());
        }

        private static String enc(String s) {
            return URLEncoder.encode(s, StandardCharsets.UTF_8);
        }
    }

    static String app() {
        return "http://127.0.0.1:" + RestAssured.port;
    }

    static String location(HttpResponse<?> r) {
        String l = r.headers().firstValue("Location").orElseThrow(() -> new AssertionError("no Location in " + r.statusCode()));
        return l.startsWith("/") ? app() + l : l;
    }

    /** Keycloak's login form on this page: fills it in and returns Keycloak's answer (a redirect to the service). */
    static HttpResponse<String> keycloakForm(Agent agent, HttpResponse<String> page, String user, String password) throws Exception {
        assertThat(page.statusCode()).as("Keycloak's login page").isEqualTo(200);
        Matcher m = Pattern.compile("<form[^>]*id=\"kc-form-login\"[^>]*action=\"([^\"]+)\"|<form[^>]*action=\"([^\"]+)\"[^>]*id=\"kc-form-login\"")
                .matcher(page.body());
        assertThat(m.find()).as("Keycloak's login form").isTrue();
        String action = (m.group(1) != null ? m.group(1) : m.group(2)).replace("&amp;", "&");
        return agent.post(action, Map.of("username", user, "password", password, "credentialId", ""));
    }

    /** The whole sign-in: the service's button, Keycloak's form, back to the service. Returns the service's last answer. */
    static HttpResponse<String> signIn(Agent agent, String next, String user, String password) throws Exception {
        HttpResponse<String> start = agent.get(app() + "/oidc/login?next=" + URLEncoder.encode(next, StandardCharsets.UTF_8));
        assertThat(start.statusCode()).isEqualTo(303);
        assertThat(location(start)).startsWith(KeycloakTestResource.keycloak().issuer() + "/protocol/openid-connect/auth?")
                .contains("code_challenge_method=S256").contains("nonce=").contains("state=");
        HttpResponse<String> kc = agent.get(location(start));
        HttpResponse<String> back = kc.statusCode() == 302 ? kc : keycloakForm(agent, kc, user, password);
        assertThat(back.statusCode()).as("Keycloak sends the browser back").isEqualTo(302);
        assertThat(location(back)).startsWith(app() + "/oidc/callback?");
        return agent.get(location(back));
    }

    static String meRole(Agent agent) throws Exception {
        HttpResponse<String> me = agent.get(app() + "/api/me");
        return me.statusCode() == 200 ? io.restassured.path.json.JsonPath.from(me.body()).getString("role") : "HTTP " + me.statusCode();
    }

    static long mapping(String admin, String group, String role, String team) {
        return LdapTest.mapping(admin, "oidc", group, role, team);
    }

    /** The service's button and Keycloak's form: Keycloak's redirect back to the service (not followed yet). */
    static HttpResponse<String> providerAnswer(Agent agent, String user, String password) throws Exception {
        HttpResponse<String> start = agent.get(app() + "/oidc/login?next=/");
        return keycloakForm(agent, agent.get(location(start)), user, password);
    }

    static String passwordGrant(String client, String secret, String user, String password) throws Exception {
        HttpResponse<String> r = new Agent().post(KeycloakTestResource.keycloak().issuer() + "/protocol/openid-connect/token",
                Map.of("grant_type", "password", "client_id", client, "client_secret", secret, "username", user,
                        "password", password, "scope", "openid"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return io.restassured.path.json.JsonPath.from(r.body()).getString("access_token");
    }

    @AfterEach
    void noMappingsLeft() throws Exception {
        update("DELETE FROM group_mappings");
        update("UPDATE users SET active = TRUE WHERE source = 'oidc'");
    }

    @Test
    @Order(1)
    void groupsDecideTheRoleAndTeamsAndLocalNamesAreNotTakenOver() throws Exception {
        String admin = adminToken();
        String team = unique("kc-deployers-");
        LdapTest.team(admin, team);
        mapping(admin, "td-admins", "admin", null);
        mapping(admin, "deployers", "operator", team);
        mapping(admin, "watchers", "viewer", null);

        // the login page offers the provider beside the local form
        given().get("/login").then().statusCode(200).body(org.hamcrest.Matchers.containsString("Sign in with Keycloak"));

        Agent alice = new Agent();
        HttpResponse<String> done = signIn(alice, "/deployments", "alice", "alice-pw-1");
        assertThat(done.statusCode()).isEqualTo(303);
        assertThat(location(done)).isEqualTo(app() + "/deployments");
        assertThat(alice.cookie(app(), "td_session")).isNotBlank();
        assertThat(alice.cookie(app(), "td_oidc")).as("the state cookie is spent").isNull();
        assertThat(meRole(alice)).isEqualTo("admin");
        assertThat(queryString("SELECT source || ' ' || email || ' ' || password_hash FROM users WHERE username = 'alice'"))
                .isEqualTo("oidc alice@example.test !");
        assertThat(LdapTest.teamsOf("alice")).containsExactly(team);

        Agent dave = new Agent();
        signIn(dave, "/", "dave", "dave-pw-1");
        assertThat(meRole(dave)).isEqualTo("operator");
        Agent walt = new Agent();
        signIn(walt, "/", "walt", "walt-pw-1");
        assertThat(meRole(walt)).isEqualTo("viewer");
        assertThat(LdapTest.teamsOf("walt")).isEmpty();

        // no mapped group: refused with a reason, nothing made
        HttpResponse<String> nora = signIn(new Agent(), "/", "nora", "nora-pw-1");
        assertThat(nora.statusCode()).isEqualTo(403);
        assertThat(nora.body()).contains("None of your groups");
        assertThat(queryLong("SELECT count(*) FROM users WHERE username = 'nora'")).isZero();

        // Keycloak's "admin" is not our bootstrap admin: refused, and ours is untouched
        HttpResponse<String> impostor = signIn(new Agent(), "/", "admin", "impostor-pw-1");
        assertThat(impostor.statusCode()).isEqualTo(403);
        assertThat(impostor.body()).contains("belongs to another user");
        assertThat(queryString("SELECT source FROM users WHERE username = 'admin'")).isEqualTo("local");
        login(ADMIN, ADMIN_PASSWORD);

        // the mapping changes: at dave's next sign-in he is a viewer and out of the team; the audit trail says why
        update("DELETE FROM group_mappings WHERE idp_group = 'deployers'");
        mapping(admin, "deployers", "viewer", null);
        Agent again = new Agent();
        signIn(again, "/", "dave", "dave-pw-1");
        assertThat(meRole(again)).isEqualTo("viewer");
        assertThat(LdapTest.teamsOf("dave")).isEmpty();
        assertThat(queryString("SELECT string_agg(action || ': ' || coalesce(detail, ''), ' | ' ORDER BY id) FROM audit_events "
                + "WHERE actor = 'dave'")).contains("user.created: first sign-in through OIDC as operator")
                .contains("user.updated: role operator → viewer by group mapping (groups: deployers)")
                .contains("team.member_removed: dave by group mapping").contains("login.success");
    }

    @Test
    @Order(2)
    void aTamperedReplayedOrForeignStateIsRefusedAndTheTargetStaysOnSite() throws Exception {
        String admin = adminToken();
        mapping(admin, "watchers", "viewer", null);
        // a tampered state
        Agent agent = new Agent();
        HttpResponse<String> back = providerAnswer(agent, "walt", "walt-pw-1");
        String callback = location(back);
        String state = callback.replaceAll(".*[?&]state=([^&]+).*", "$1");
        String flipped = (state.charAt(0) == 'A' ? 'B' : 'A') + state.substring(1);
        HttpResponse<String> tampered = agent.get(callback.replace("state=" + state, "state=" + flipped));
        assertThat(tampered.statusCode()).isEqualTo(400);
        assertThat(tampered.body()).contains("could not be verified");
        assertThat(agent.cookie(app(), "td_session")).isNull();

        // the right answer, but in another browser (no state cookie): refused (login CSRF)
        Agent other = new Agent();
        Agent victim = new Agent();
        HttpResponse<String> b2 = providerAnswer(other, "walt", "walt-pw-1");
        assertThat(victim.get(location(b2)).statusCode()).isEqualTo(400);
        assertThat(victim.cookie(app(), "td_session")).isNull();
        // the browser that started it finishes it once; the same answer again is refused
        assertThat(other.get(location(b2)).statusCode()).isEqualTo(303);
        String session = other.cookie(app(), "td_session");
        assertThat(session).isNotBlank();
        other.forget(app(), "td_session");
        HttpResponse<String> s3 = other.get(app() + "/oidc/login?next=/");
        String state3 = location(s3).replaceAll(".*[?&]state=([^&]+).*", "$1");
        HttpResponse<String> replay = other.get(location(b2).replaceAll("state=[^&]+", "state=" + state3));
        assertThat(replay.statusCode()).as("a code is good for one sign-in").isIn(400, 401);

        // where to go afterwards stays on this site
        for (String next : List.of("//example.invalid/x", "https://example.invalid/", "/\\example.invalid")) {
            Agent a = new Agent();
            HttpResponse<String> done = signIn(a, next, "walt", "walt-pw-1");
            assertThat(location(done)).isEqualTo(app() + "/");
        }
        // the provider's own refusal is shown, not a stack trace
        Agent cancelled = new Agent();
        cancelled.get(app() + "/oidc/login?next=/");
        HttpResponse<String> denied = cancelled.get(app() + "/oidc/callback?error=access_denied&error_description=User+cancelled&state=x");
        assertThat(denied.statusCode()).isEqualTo(401);
        assertThat(denied.body()).contains("User cancelled");
    }

    @Test
    @Order(3)
    void aDeactivatedUserIsRefusedThoughKeycloakStillKnowsThem() throws Exception {
        String admin = adminToken();
        mapping(admin, "watchers", "viewer", null);
        Agent walt = new Agent();
        signIn(walt, "/", "walt", "walt-pw-1");
        long id = queryLong("SELECT id FROM users WHERE username = 'walt'");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("active", false)).put("/api/users/" + id)
                .then().statusCode(200);
        assertThat(meRole(walt)).isEqualTo("HTTP 401");
        // Keycloak's session is still alive: it sends walt straight back, and the service refuses him
        HttpResponse<String> again = signIn(walt, "/", "walt", "walt-pw-1");
        assertThat(again.statusCode()).isEqualTo(403);
        assertThat(again.body()).contains("deactivated");
        assertThat(meRole(walt)).isEqualTo("HTTP 401");
    }

    @Test
    @Order(4)
    void signingOutEndsTheKeycloakSessionToo() throws Exception {
        String admin = adminToken();
        mapping(admin, "td-admins", "admin", null);
        Agent alice = new Agent();
        signIn(alice, "/", "alice", "alice-pw-1");
        HttpResponse<String> page = alice.get(app() + "/");
        Matcher csrf = Pattern.compile("name=\"csrf-token\" content=\"([^\"]+)\"").matcher(page.body());
        assertThat(csrf.find()).as("the page's CSRF token").isTrue();
        HttpResponse<String> out = alice.post(app() + "/logout", Map.of("csrf_token", csrf.group(1)));
        assertThat(out.statusCode()).isEqualTo(303);
        String endSession = location(out);
        assertThat(endSession).startsWith(KeycloakTestResource.keycloak().issuer() + "/protocol/openid-connect/logout?")
                .contains("id_token_hint=").contains("post_logout_redirect_uri=");
        assertThat(meRole(alice)).isEqualTo("HTTP 401");
        HttpResponse<String> kc = alice.get(endSession);
        assertThat(kc.statusCode()).isEqualTo(302);
        assertThat(location(kc)).isEqualTo(app() + "/login");
        // Keycloak asks for the password again: its session is over
        HttpResponse<String> start = alice.get(app() + "/oidc/login?next=/");
        assertThat(alice.get(location(start)).statusCode()).isEqualTo(200);
    }

    @Test
    @Order(5)
    void keycloakAccessTokensAreBearerTokensForThisAudienceOnly() throws Exception {
        String admin = adminToken();
        mapping(admin, "deployers", "operator", null);
        String token = passwordGrant(TestKeycloak.CLIENT_ID, TestKeycloak.CLIENT_SECRET, "dave", "dave-pw-1");
        given().auth().oauth2(token).get("/api/me").then().statusCode(200).body("username", equalTo("dave"))
                .body("role", equalTo("operator"));
        given().auth().oauth2(token).get("/api/servers").then().statusCode(200);
        // a token Keycloak made for another application is not for us
        String foreign = passwordGrant("other-app", "other-app-secret", "dave", "dave-pw-1");
        given().auth().oauth2(foreign).get("/api/me").then().statusCode(401);
        // a token whose claims were changed fails its signature
        String[] parts = token.split("\\.");
        String payload = new String(java.util.Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("\"dave\"", "\"alice\"");
        String forged = parts[0] + "." + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes(StandardCharsets.UTF_8))
                + "." + parts[2];
        given().auth().oauth2(forged).get("/api/me").then().statusCode(401);
        // deactivated: the token no longer works
        long id = queryLong("SELECT id FROM users WHERE username = 'dave'");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("active", false)).put("/api/users/" + id)
                .then().statusCode(200);
        given().auth().oauth2(token).get("/api/me").then().statusCode(401);
    }

    /** Headless Chromium signs in through Keycloak's own login page; the pages show the mapping and where users come from. */
    @Test
    @Order(6)
    void aBrowserSignsInThroughKeycloaksOwnLoginPage() throws Exception {
        String admin = adminToken();
        String team = unique("kc-browser-");
        LdapTest.team(admin, team);
        mapping(admin, "td-admins", "admin", null);
        mapping(admin, "deployers", "operator", team);
        java.nio.file.Path shots = java.nio.file.Path.of("target", "screenshots");
        java.nio.file.Files.createDirectories(shots);
        java.nio.file.Path profile = java.nio.file.Files.createTempDirectory("chromium-kc");
        org.openqa.selenium.chrome.ChromeOptions options = new org.openqa.selenium.chrome.ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-extensions", "--user-data-dir=" + profile, "--window-size=1280,900");
        org.openqa.selenium.WebDriver driver = new org.openqa.selenium.chrome.ChromeDriver(
                new org.openqa.selenium.chrome.ChromeDriverService.Builder().usingDriverExecutable(new java.io.File("/usr/bin/chromedriver"))
                        .usingAnyFreePort().build(), options);
        try {
            var wait = new org.openqa.selenium.support.ui.WebDriverWait(driver, Duration.ofSeconds(30));
            driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
            driver.get(app() + "/login?next=/teams");
            shot(driver, shots, "login-sso");
            driver.findElement(org.openqa.selenium.By.id("login-sso")).click();
            // Keycloak's own page
            wait.until(org.openqa.selenium.support.ui.ExpectedConditions.presenceOfElementLocated(org.openqa.selenium.By.id("kc-login")));
            assertThat(driver.getCurrentUrl()).startsWith(KeycloakTestResource.keycloak().issuer());
            driver.findElement(org.openqa.selenium.By.id("username")).sendKeys("alice");
            driver.findElement(org.openqa.selenium.By.id("password")).sendKeys("alice-pw-1");
            shot(driver, shots, "keycloak-login");
            driver.findElement(org.openqa.selenium.By.id("kc-login")).click();
            // back here, signed in, on the page asked for: the mapping table lists the groups
            wait.until(d -> d.getCurrentUrl().equals(app() + "/teams"));
            wait.until(org.openqa.selenium.support.ui.ExpectedConditions.presenceOfElementLocated(
                    org.openqa.selenium.By.cssSelector("tr[data-mapping-row='deployers']")));
            assertThat(driver.findElement(org.openqa.selenium.By.cssSelector("tr[data-mapping-row='deployers']")).getText())
                    .contains("oidc").contains("operator").contains(team);
            assertThat(driver.getPageSource()).contains("alice");
            // an admin maps another group from the page
            driver.findElement(org.openqa.selenium.By.cssSelector("button[data-open='mapping-dialog']")).click();
            driver.findElement(org.openqa.selenium.By.id("g-group")).sendKeys("watchers");
            new org.openqa.selenium.support.ui.Select(driver.findElement(org.openqa.selenium.By.id("g-provider"))).selectByValue("oidc");
            new org.openqa.selenium.support.ui.Select(driver.findElement(org.openqa.selenium.By.id("g-role"))).selectByValue("viewer");
            shot(driver, shots, "group-mapping-dialog");
            driver.findElement(org.openqa.selenium.By.cssSelector("#mapping-form button[type='submit']")).click();
            wait.until(org.openqa.selenium.support.ui.ExpectedConditions.presenceOfElementLocated(
                    org.openqa.selenium.By.cssSelector("tr[data-mapping-row='watchers']")));
            assertThat(queryString("SELECT provider || ' ' || role || ' ' || coalesce(team_id::text, '-') FROM group_mappings "
                    + "WHERE idp_group = 'watchers'")).isEqualTo("oidc viewer -");
            shot(driver, shots, "teams-group-mappings");
            driver.get(app() + "/users");
            wait.until(org.openqa.selenium.support.ui.ExpectedConditions.presenceOfElementLocated(
                    org.openqa.selenium.By.cssSelector("tr[data-user-row='alice']")));
            String row = driver.findElement(org.openqa.selenium.By.cssSelector("tr[data-user-row='alice']")).getText();
            assertThat(row).contains("oidc").contains("admin").doesNotContain("Reset password");
            shot(driver, shots, "users-oidc");
            // signing out goes through Keycloak's logout and back to the login page
            driver.findElement(org.openqa.selenium.By.cssSelector("form[action='/logout'] button")).click();
            try {
                wait.until(d -> d.getCurrentUrl().startsWith(app() + "/login"));
            } catch (org.openqa.selenium.TimeoutException e) {
                shot(driver, shots, "logout-stuck");
                throw new AssertionError("after logout at " + driver.getCurrentUrl(), e);
            }
            driver.get(app() + "/oidc/login?next=/");
            wait.until(org.openqa.selenium.support.ui.ExpectedConditions.presenceOfElementLocated(org.openqa.selenium.By.id("kc-login")));
        } finally {
            driver.quit();
        }
    }

    static void shot(org.openqa.selenium.WebDriver driver, java.nio.file.Path dir, String name) throws IOException {
        byte[] png = ((org.openqa.selenium.TakesScreenshot) driver).getScreenshotAs(org.openqa.selenium.OutputType.BYTES);
        java.nio.file.Files.write(dir.resolve(name + ".png"), png);
    }

    @Test
    @Order(7)
    void keycloakDownLeavesLocalUsersSigningIn() throws Exception {
        String admin = adminToken();
        mapping(admin, "watchers", "viewer", null);
        // Keycloak goes away between its answer and the code exchange
        Agent walt = new Agent();
        HttpResponse<String> back = providerAnswer(walt, "walt", "walt-pw-1");
        KeycloakTestResource.keycloak().stopProcess();
        long began = System.nanoTime();
        HttpResponse<String> callback = walt.get(location(back));
        assertThat(callback.statusCode()).isEqualTo(503);
        assertThat(callback.body()).contains("identity provider cannot be reached");
        assertThat(System.nanoTime() - began).as("bounded by the configured timeout").isLessThan(20_000_000_000L);
        assertThat(walt.cookie(app(), "td_session")).isNull();
        // local users sign in as ever, over the API and the form
        login(ADMIN, ADMIN_PASSWORD);
        given().redirects().follow(false).contentType(ContentType.URLENC).formParam("username", ADMIN)
                .formParam("password", ADMIN_PASSWORD).post("/login").then().statusCode(303).cookie("td_session");
    }
}
