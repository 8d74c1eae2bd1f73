package io.triggerdeploy.auth;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.triggerdeploy.support.ApiTest;
import io.triggerdeploy.support.Oathtool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

/**
 * {@code trigger.auth.totp-required=admins}: an admin without a second factor is shown a new secret at sign-in and
 * signs in with its first code (API and web); operators and viewers are not asked.
 */
@QuarkusTest
@TestProfile(TotpRequiredTest.AdminsMustUseTotp.class)
class TotpRequiredTest extends ApiTest {

    public static class AdminsMustUseTotp extends KeysProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> m = new HashMap<>(super.getConfigOverrides());
            m.put("trigger.auth.totp-required", "admins");
            return m;
        }
    }

    /** The bootstrap admin is shared with the other tests' profiles: it leaves as it came, without a second factor. */
    @AfterEach
    void bootstrapAdminWithoutSecondFactor() throws Exception {
        update("UPDATE users SET totp_secret = NULL, totp_enabled = FALSE, totp_last_step = NULL WHERE username = '" + ADMIN + "'");
    }

    static Response login(String user, String password, String totp) {
        return TotpTest.login(user, password, totp);
    }

    @Test
    void anAdminSetsItUpAtSignInAndOthersAreNotAsked() throws Exception {
        // the password alone: 401 with a new secret to set up, and no token
        JsonPath first = login(ADMIN, ADMIN_PASSWORD, null).then().statusCode(401).body("token", nullValue()).extract().jsonPath();
        String secret = first.getString("totp_enrolment.secret");
        assertThat(secret).matches("[A-Z2-7]{32}");
        assertThat(first.getString("totp_enrolment.otpauth_uri")).contains("secret=" + secret);
        assertThat(TotpTest.decodeQr(first.getString("totp_enrolment.qr_data_uri"))).isEqualTo(first.getString("totp_enrolment.otpauth_uri"));
        // a wrong code sets nothing up
        login(ADMIN, ADMIN_PASSWORD, Oathtool.code(secret, 600)).then().statusCode(401);
        // its code signs in and turns it on; the recovery codes come with this login only
        JsonPath in = login(ADMIN, ADMIN_PASSWORD, Oathtool.code(secret, 0)).then().statusCode(200).extract().jsonPath();
        assertThat(in.getList("recovery_codes", String.class)).hasSize(10);
        String admin = in.getString("token");
        given().auth().oauth2(admin).get("/api/me/totp").then().statusCode(200).body("enabled", equalTo(true));
        // from now on a code is asked for, as for anyone who set it up
        login(ADMIN, ADMIN_PASSWORD, null).then().statusCode(401).body("totp_required", equalTo(true))
                .body("totp_enrolment", nullValue());
        JsonPath again = login(ADMIN, ADMIN_PASSWORD, Oathtool.code(secret, 30)).then().statusCode(200).extract().jsonPath();
        assertThat(again.getList("recovery_codes")).isNull();

        // an operator is not covered by "admins"
        String op = unique("op");
        createUser(admin, op, "operator-pass-1", "operator");
        login(op, "operator-pass-1", null).then().statusCode(200);

        // a new admin signs in on the web: the key and its QR code, then the code, then the recovery codes once
        String second = unique("adm");
        createUser(admin, second, "admin-pass-22", "admin");
        Response page = given().redirects().follow(false).contentType(ContentType.URLENC)
                .formParams(Map.of("username", second, "password", "admin-pass-22", "next", "/")).post("/login");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.getCookie("td_session")).isNull();
        String key = page.htmlPath().getString("**.find { it.@id == 'login-secret' }");
        String challenge = page.htmlPath().getString("**.find { it.@name == 'challenge' }.@value");
        assertThat(key).matches("[A-Z2-7]{32}");
        Response wrong = given().redirects().follow(false).contentType(ContentType.URLENC)
                .formParams(Map.of("username", second, "challenge", challenge, "code", Oathtool.code(key, 600), "next", "/")).post("/login");
        assertThat(wrong.statusCode()).isEqualTo(401);
        // the same key is shown again
        assertThat(wrong.htmlPath().getString("**.find { it.@id == 'login-secret' }")).isEqualTo(key);
        String retry = wrong.htmlPath().getString("**.find { it.@name == 'challenge' }.@value");
        Response done = given().redirects().follow(false).contentType(ContentType.URLENC)
                .formParams(Map.of("username", second, "challenge", retry, "code", Oathtool.code(key, 0), "next", "/")).post("/login");
        assertThat(done.statusCode()).isEqualTo(200);
        assertThat(done.getCookie("td_session")).isNotBlank();
        List<String> codes = done.htmlPath().getList("**.findAll { it.name() == 'li' && it.parent().@id == 'login-recovery-codes' }",
                String.class);
        assertThat(codes).hasSize(10);
        given().cookie("td_session", done.getCookie("td_session")).get("/api/me").then().statusCode(200)
                .body("username", equalTo(second));
    }
}
