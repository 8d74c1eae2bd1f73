package io.triggerdeploy.federation;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.triggerdeploy.support.ApiTest;
import io.triggerdeploy.support.Oathtool;
import io.triggerdeploy.support.SlapdTestResource;
import io.triggerdeploy.support.TestSlapd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

/**
 * Sign-in against Debian's real slapd (memberOf overlay, a service account whose password comes from a file, searches
 * refused to anyone else): users made at first sign-in with the group mapping deciding role and teams, re-applied at
 * each sign-in; wrong passwords, ambiguous and injected names refused; deactivated users refused; the directory down
 * answers 503 for its users while local users sign in.
 */
@QuarkusTest
@TestProfile(LdapTest.WithDirectory.class)
class LdapTest extends ApiTest {

    public static class WithDirectory implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(SlapdTestResource.class));
        }

        /** A secrets key, so that directory users can turn on two-factor sign-in. */
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                java.nio.file.Path key = java.nio.file.Files.createTempFile("ldap-secrets", ".key");
                byte[] raw = new byte[32];
                new java.security.SecureRandom().nextBytes(raw);
                java.nio.file.Files.writeString(key, java.util.Base64.getEncoder().encodeToString(raw));
                return Map.of("trigger.secrets.key-file", key.toString());
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    static Response signIn(String user, String password) {
        return given().contentType(ContentType.JSON).body(Map.of("username", user, "password", password)).post("/api/login");
    }

    static long mapping(String admin, String provider, String group, String role, String team) {
        Map<String, Object> body = new HashMap<>(Map.of("provider", provider, "group", group));
        if (role != null) {
            body.put("role", role);
        }
        if (team != null) {
            body.put("team", team);
        }
        return given().auth().oauth2(admin).contentType(ContentType.JSON).body(body).post("/api/group-mappings")
                .then().statusCode(201).extract().jsonPath().getLong("id");
    }

    static long team(String admin, String name) {
        return given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("name", name)).post("/api/teams")
                .then().statusCode(201).extract().jsonPath().getLong("id");
    }

    static List<String> teamsOf(String username) throws Exception {
        List<String> names = new java.util.ArrayList<>();
        try (var c = db(); var st = c.prepareStatement("SELECT t.name FROM team_members m JOIN teams t ON t.id = m.team_id "
                + "JOIN users u ON u.id = m.user_id WHERE u.username = ? ORDER BY t.name")) {
            st.setString(1, username);
            try (var rs = st.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
        }
        return names;
    }

    /** The mapping is shared with the other profiles' applications (same database): it leaves empty. */
    @AfterEach
    void noMappingsLeft() throws Exception {
        update("DELETE FROM group_mappings");
        update("UPDATE users SET active = TRUE WHERE source = 'ldap'");
        // the directory runs again for the next test, whatever this one did to it
        try (var s = new java.net.Socket("127.0.0.1", SlapdTestResource.slapd().port())) {
            s.getPort();
        } catch (java.io.IOException down) {
            SlapdTestResource.slapd().startProcess();
        }
    }

    @Test
    void aDirectoryUserGetsTheMappedRoleAndTeamsAtEachSignIn() throws Exception {
        String admin = adminToken();
        String ops = unique("ldap-ops-");
        String releases = unique("ldap-rel-");
        String manual = unique("ldap-manual-");
        team(admin, ops);
        team(admin, releases);
        team(admin, manual);
        mapping(admin, "ldap", "ops", "operator", ops);
        mapping(admin, "any", "Release-Managers", "viewer", releases); // groups match regardless of case
        mapping(admin, "oidc", "ops", "admin", null); // another provider's mapping does not apply

        // first sign-in: the user is made, with the highest mapped role and the mapped teams
        String token = signIn("lena", "lena-pw-1").then().statusCode(200).body("user.role", equalTo("operator"))
                .extract().path("token");
        given().auth().oauth2(token).get("/api/me").then().statusCode(200)
                .body("username", equalTo("lena")).body("role", equalTo("operator"));
        assertThat(queryString("SELECT source || ' ' || external_id || ' ' || email || ' ' || password_hash FROM users WHERE username = 'lena'"))
                .isEqualTo("ldap uid=lena,ou=people,dc=example,dc=test lena@example.test !");
        assertThat(teamsOf("lena")).containsExactlyInAnyOrder(ops, releases);
        long id = queryLong("SELECT id FROM users WHERE username = 'lena'");
        given().auth().oauth2(admin).get("/api/users/" + id).then().statusCode(200)
                .body("source", equalTo("ldap")).body("groups", org.hamcrest.Matchers.hasItems("ops", "release-managers"));
        // an admin adds her to a team no mapping manages: sign-ins leave that membership alone
        given().auth().oauth2(admin).put("/api/teams/" + manual + "/members/lena").then().statusCode(200);

        // she leaves "ops" in the directory: the next sign-in lowers her role and takes her out of the ops team
        SlapdTestResource.slapd().modify("dn: cn=ops,ou=groups,dc=example,dc=test\nchangetype: modify\n"
                + "delete: member\nmember: uid=lena,ou=people,dc=example,dc=test\n");
        signIn("lena", "lena-pw-1").then().statusCode(200).body("user.role", equalTo("viewer"));
        assertThat(teamsOf("lena")).containsExactlyInAnyOrder(releases, manual);
        // the login token of before carries the old role no longer: requests see the user as she is now
        given().auth().oauth2(token).get("/api/me").then().statusCode(200).body("role", equalTo("viewer"));
        // the audit trail says what the mapping did
        String audit = queryString("SELECT string_agg(action || ': ' || coalesce(detail, ''), ' | ' ORDER BY id) FROM audit_events "
                + "WHERE actor = 'lena' AND action IN ('user.created', 'user.updated', 'team.member_added', 'team.member_removed')");
        assertThat(audit).contains("user.created: first sign-in through LDAP as operator")
                .contains("team.member_added: lena by group mapping")
                .contains("user.updated: role operator → viewer by group mapping")
                .contains("team.member_removed: lena by group mapping (no longer in its groups)");

        // the web login form signs directory users in as well
        given().redirects().follow(false).contentType(ContentType.URLENC).formParam("username", "lena")
                .formParam("password", "lena-pw-1").post("/login").then().statusCode(303).cookie("td_session");
        // her password lives in the directory: it cannot be changed or reset here
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("current_password", "lena-pw-1", "new_password", "another-pass-1")).put("/api/me/password")
                .then().statusCode(409);
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("password", "another-pass-1"))
                .post("/api/users/" + id + "/password").then().statusCode(409);
        signIn("lena", "another-pass-1").then().statusCode(401);
    }

    @Test
    void wrongPasswordsAmbiguousAndInjectedNamesAreRefusedAndCreateNothing() throws Exception {
        String admin = adminToken();
        mapping(admin, "ldap", "viewers", "viewer", null);
        mapping(admin, "ldap", "release-managers", "admin", null);
        long before = queryLong("SELECT count(*) FROM users");
        signIn("lars", "wrong-password").then().statusCode(401).contentType(startsWith("application/problem+json"));
        for (String name : List.of("*", "*)(uid=*", "lars)(|(uid=*", "lar*", "*)(objectClass=*", "lars\\", "lars\u0000",
                "(uid=lars)", "*)(|(userPassword=*)")) {
            signIn(name, "lars-pw-1").then().statusCode(401);
        }
        // two entries with one name: neither signs in
        signIn("twin", "twin-pw-1").then().statusCode(401);
        // a directory user named like a local user: the local user is asked, with the local password
        signIn("admin", "directory-admin-pw-1").then().statusCode(401);
        signIn(ADMIN, ADMIN_PASSWORD).then().statusCode(200).body("user.role", equalTo("admin"));
        assertThat(queryLong("SELECT count(*) FROM users")).isEqualTo(before);
        // a user none of whose groups is mapped: refused with a reason, nothing made
        signIn("nils", "nils-pw-1").then().statusCode(403).contentType(startsWith("application/problem+json"))
                .body("detail", org.hamcrest.Matchers.containsString("None of your groups"));
        assertThat(queryLong("SELECT count(*) FROM users WHERE username = 'nils'")).isZero();
        // the filter escaping itself (RFC 4515)
        assertThat(LdapDirectory.escape("*)(uid=*")).isEqualTo("\\2a\\29\\28uid=\\2a");
        assertThat(LdapDirectory.escape("a\\b\u0000é")).isEqualTo("a\\5cb\\00\\c3\\a9");
    }

    @Test
    void aDeactivatedDirectoryUserIsRefusedEvenWithTheRightPassword() {
        String admin = adminToken();
        mapping(admin, "ldap", "viewers", "viewer", null);
        String token = signIn("lars", "lars-pw-1").then().statusCode(200).body("user.role", equalTo("viewer")).extract().path("token");
        long id = given().auth().oauth2(token).get("/api/me").then().statusCode(200).extract().jsonPath().getLong("id");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("active", false)).put("/api/users/" + id)
                .then().statusCode(200);
        signIn("lars", "lars-pw-1").then().statusCode(403).body("detail", org.hamcrest.Matchers.containsString("deactivated"));
        given().auth().oauth2(token).get("/api/me").then().statusCode(401);
    }

    @Test
    void aDirectoryUserWithTwoFactorSignInIsAskedForTheCode() throws Exception {
        String admin = adminToken();
        mapping(admin, "ldap", "viewers", "viewer", null);
        String token = signIn("lars", "lars-pw-1").then().statusCode(200).extract().path("token");
        String secret = given().auth().oauth2(token).post("/api/me/totp").then().statusCode(200).extract().path("secret");
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("code", Oathtool.code(secret, 0)))
                .post("/api/me/totp/confirm").then().statusCode(200);
        try {
            // the directory's password alone is not enough any more
            signIn("lars", "lars-pw-1").then().statusCode(401).body("totp_required", equalTo(true));
            given().contentType(ContentType.JSON).body(Map.of("username", "lars", "password", "lars-pw-1",
                    "totp", Oathtool.code(secret, 30))).post("/api/login").then().statusCode(200);
            // the directory still checks the password first
            given().contentType(ContentType.JSON).body(Map.of("username", "lars", "password", "wrong-pw",
                    "totp", Oathtool.code(secret, 60))).post("/api/login").then().statusCode(401);
        } finally {
            update("UPDATE users SET totp_secret = NULL, totp_enabled = FALSE, totp_last_step = NULL WHERE username = 'lars'");
            update("DELETE FROM login_throttle WHERE throttle_key IN ('u:lars', (SELECT 'id:' || id FROM users WHERE username = 'lars'))");
        }
    }

    @Test
    void theDirectoryDownAnswers503ForItsUsersAndLocalUsersStillSignIn() throws Exception {
        String admin = adminToken();
        mapping(admin, "ldap", "viewers", "viewer", null);
        update("DELETE FROM login_throttle WHERE throttle_key IN ('u:lars', (SELECT 'id:' || id FROM users WHERE username = 'lars'))");
        TestSlapd slapd = SlapdTestResource.slapd();
        slapd.stopProcess();
        long started = System.nanoTime();
        signIn("lars", "lars-pw-1").then().statusCode(503).contentType(startsWith("application/problem+json"))
                .body("detail", org.hamcrest.Matchers.containsString("directory"));
        assertThat(System.nanoTime() - started).as("answered within the connect timeout, not hanging").isLessThan(20_000_000_000L);
        signIn(ADMIN, ADMIN_PASSWORD).then().statusCode(200);
        // a 503 is not a failed login: no lockout builds up while the directory is away
        assertThat(queryLong("SELECT count(*) FROM login_throttle WHERE throttle_key = 'u:lars'")).isZero();
        slapd.startProcess();
        signIn("lars", "lars-pw-1").then().statusCode(200);
    }
}
