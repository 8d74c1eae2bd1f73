package io.triggerdeploy.auth;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.triggerdeploy.support.ApiTest;
import io.triggerdeploy.support.Oathtool;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

/**
 * Two-factor sign-in for local users on PostgreSQL: enrolment, codes made by Debian's oathtool from the enrolled secret,
 * replay refusal, recovery codes, the web login's code step, removal by the user and by an admin.
 */
@QuarkusTest
@TestProfile(KeysProfile.class) // TOTP secrets are sealed with the secrets key
class TotpTest extends ApiTest {

    static String oathtool(String secret, int offsetSeconds) throws Exception {
        return Oathtool.code(secret, offsetSeconds);
    }

    /** Reads the QR code back (zxing's decoder over the SVG's modules drawn as pixels): what an app would scan. */
    static String decodeQr(String dataUri) throws Exception {
        assertThat(dataUri).startsWith("data:image/svg+xml;base64,");
        String svg = new String(Base64.getDecoder().decode(dataUri.substring(dataUri.indexOf(',') + 1)), StandardCharsets.UTF_8);
        java.util.regex.Matcher size = java.util.regex.Pattern.compile("viewBox=\"0 0 (\\d+) (\\d+)\"").matcher(svg);
        assertThat(size.find()).isTrue();
        int w = Integer.parseInt(size.group(1));
        int scale = 4;
        int[] pixels = new int[w * scale * w * scale];
        java.util.Arrays.fill(pixels, 0xFFFFFFFF);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("M(\\d+) (\\d+)h1v1h-1z").matcher(svg);
        while (m.find()) {
            int x = Integer.parseInt(m.group(1));
            int y = Integer.parseInt(m.group(2));
            for (int dy = 0; dy < scale; dy++) {
                for (int dx = 0; dx < scale; dx++) {
                    pixels[(y * scale + dy) * w * scale + x * scale + dx] = 0xFF000000;
                }
            }
        }
        var source = new com.google.zxing.RGBLuminanceSource(w * scale, w * scale, pixels);
        // a rendered image, not a photo: the whole picture is the code and its quiet zone
        return new com.google.zxing.qrcode.QRCodeReader().decode(new com.google.zxing.BinaryBitmap(
                new com.google.zxing.common.GlobalHistogramBinarizer(source)),
                Map.of(com.google.zxing.DecodeHintType.PURE_BARCODE, Boolean.TRUE)).getText();
    }

    static Response login(String username, String password, String totp) {
        Map<String, Object> body = new HashMap<>(Map.of("username", username, "password", password));
        if (totp != null) {
            body.put("totp", totp);
        }
        return given().contentType(ContentType.JSON).body(body).post("/api/login");
    }

    @Test
    void enrolConfirmWithOathtoolThenEveryLoginNeedsAFreshCode() throws Exception {
        String admin = adminToken();
        String name = unique("otp");
        long id = createUser(admin, name, "otp-user-pass", "operator");
        String token = ApiTest.login(name, "otp-user-pass");
        given().auth().oauth2(token).get("/api/me/totp").then().statusCode(200).body("enabled", equalTo(false));

        // enrolment: the secret is answered once, and nothing changes until a valid code confirms it
        JsonPath enrolment = given().auth().oauth2(token).post("/api/me/totp").then().statusCode(200).extract().jsonPath();
        String secret = enrolment.getString("secret");
        assertThat(secret).matches("[A-Z2-7]{32}");
        assertThat(enrolment.getString("otpauth_uri")).startsWith("otpauth://totp/trigger-deploy:" + name + "?secret=" + secret)
                .contains("issuer=trigger-deploy");
        assertThat(decodeQr(enrolment.getString("qr_data_uri"))).isEqualTo(enrolment.getString("otpauth_uri"));
        login(name, "otp-user-pass", null).then().statusCode(200);
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("code", oathtool(secret, 300)))
                .post("/api/me/totp/confirm").then().statusCode(400).body("violations[0].field", equalTo("code"));
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of()).post("/api/me/totp/confirm").then().statusCode(400);
        List<String> recovery = given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("code", oathtool(secret, 0)))
                .post("/api/me/totp/confirm").then().statusCode(200).extract().jsonPath().getList("recovery_codes", String.class);
        assertThat(recovery).hasSize(10).doesNotHaveDuplicates().allMatch(c -> c.matches("[a-z2-9]{5}-[a-z2-9]{5}"));
        given().auth().oauth2(token).get("/api/me/totp").then().statusCode(200).body("enabled", equalTo(true))
                .body("recovery_codes_left", equalTo(10));
        given().auth().oauth2(token).post("/api/me/totp").then().statusCode(409);

        // the password alone: 401 saying a code is needed (not a failed login)
        login(name, "otp-user-pass", null).then().statusCode(401).contentType(containsString("application/problem+json"))
                .body("totp_required", equalTo(true));
        // a wrong password with a code is still a wrong password
        login(name, "wrong-password", oathtool(secret, 30)).then().statusCode(401).body("totp_required", org.hamcrest.Matchers.nullValue());
        // the next step's code signs in once; the same code again, or the one used to confirm, is refused
        String next = oathtool(secret, 30);
        login(name, "otp-user-pass", next).then().statusCode(200).body("token", org.hamcrest.Matchers.notNullValue());
        login(name, "otp-user-pass", next).then().statusCode(401).body("totp_required", org.hamcrest.Matchers.nullValue());
        login(name, "otp-user-pass", oathtool(secret, 0)).then().statusCode(401);
        login(name, "otp-user-pass", "12345").then().statusCode(401);
        // a recovery code works once, in any case and with or without its dash
        login(name, "otp-user-pass", recovery.get(0).toUpperCase().replace("-", "")).then().statusCode(200);
        login(name, "otp-user-pass", recovery.get(0)).then().statusCode(401);
        given().auth().oauth2(token).get("/api/me/totp").then().body("recovery_codes_left", equalTo(9));

        // the web login asks for the code after the password; a wrong code gives a new chance, a right one a session
        Response first = given().redirects().follow(false).contentType(ContentType.URLENC)
                .formParams(Map.of("username", name, "password", "otp-user-pass", "next", "/")).post("/login");
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.asString()).contains("name=\"code\"").doesNotContain("otp-user-pass");
        assertThat(first.getCookie("td_session")).isNull();
        String challenge = first.htmlPath().getString("**.find { it.@name == 'challenge' }.@value");
        Response wrong = given().redirects().follow(false).contentType(ContentType.URLENC)
                .formParams(Map.of("username", name, "challenge", challenge, "code", "000000", "next", "/")).post("/login");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.asString()).contains("not right");
        String again = wrong.htmlPath().getString("**.find { it.@name == 'challenge' }.@value");
        assertThat(again).isNotEqualTo(challenge);
        // the first challenge is used up
        assertThat(given().redirects().follow(false).contentType(ContentType.URLENC)
                .formParams(Map.of("username", name, "challenge", challenge, "code", recovery.get(1), "next", "/")).post("/login")
                .statusCode()).isEqualTo(401);
        Response ok = given().redirects().follow(false).contentType(ContentType.URLENC)
                .formParams(Map.of("username", name, "challenge", again, "code", recovery.get(2), "next", "/deployments")).post("/login");
        assertThat(ok.statusCode()).isEqualTo(303);
        assertThat(ok.getHeader("Location")).endsWith("/deployments");
        assertThat(ok.getCookie("td_session")).isNotBlank();

        // an admin sees it on and removes it (audited); the password alone signs in again
        given().auth().oauth2(admin).get("/api/users/" + id).then().statusCode(200).body("totp_enabled", equalTo(true));
        given().auth().oauth2(token).delete("/api/users/" + id + "/totp").then().statusCode(403);
        given().auth().oauth2(admin).delete("/api/users/" + id + "/totp").then().statusCode(204);
        assertThat(queryLong("SELECT count(*) FROM audit_events WHERE action = 'user.totp_reset' AND target = '" + name + "'")).isEqualTo(1);
        login(name, "otp-user-pass", null).then().statusCode(200);
        given().auth().oauth2(token).get("/api/me/totp").then().body("enabled", equalTo(false));
    }

    @Test
    void theUserTurnsItOffWithACode() throws Exception {
        String name = unique("otp");
        createUser(adminToken(), name, "otp-user-pass", "viewer");
        String token = ApiTest.login(name, "otp-user-pass");
        String secret = given().auth().oauth2(token).post("/api/me/totp").then().statusCode(200).extract().path("secret");
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("code", oathtool(secret, 0)))
                .post("/api/me/totp/confirm").then().statusCode(200);
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("code", "000000", "password", "otp-user-pass"))
                .post("/api/me/totp/disable").then().statusCode(403);
        // the password too: a stolen token or session alone cannot turn it off
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("code", oathtool(secret, 30)))
                .post("/api/me/totp/disable").then().statusCode(400).body("violations[0].field", equalTo("password"));
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("code", oathtool(secret, 30), "password", "otp-user-pass"))
                .post("/api/me/totp/disable").then().statusCode(204);
        login(name, "otp-user-pass", null).then().statusCode(200);
        // enrolling again makes a new secret
        String second = given().auth().oauth2(token).post("/api/me/totp").then().statusCode(200).extract().path("secret");
        assertThat(second).isNotEqualTo(secret);
    }

    @Test
    void wrongCodesWhileChangingTheSecondFactorCountAsFailedLoginsAndApiTokensCannotChangeIt() throws Exception {
        String name = unique("otpbf");
        createUser(adminToken(), name, "otp-brute-pass", "operator");
        String token = ApiTest.login(name, "otp-brute-pass");
        // a token its owner capped at viewer: it may read, never change how its owner signs in
        String capped = given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("name", "ci", "role", "viewer",
                "expires_in_days", 1)).post("/api/tokens").then().statusCode(201).extract().path("token");
        given().auth().oauth2(capped).get("/api/me/totp").then().statusCode(200);
        given().auth().oauth2(capped).post("/api/me/totp").then().statusCode(403).contentType("application/problem+json")
                .body("detail", containsString("API token"));
        given().auth().oauth2(capped).contentType(ContentType.JSON).body(Map.of("code", "123456")).post("/api/me/totp/confirm")
                .then().statusCode(403);
        given().auth().oauth2(capped).contentType(ContentType.JSON).body(Map.of("code", "123456", "password", "otp-brute-pass"))
                .post("/api/me/totp/disable").then().statusCode(403);
        given().auth().oauth2(capped).post("/api/me/sign-out-everywhere").then().statusCode(403);
        given().auth().oauth2(capped).contentType(ContentType.JSON).body(Map.of("current_password", "otp-brute-pass",
                "new_password", "otp-brute-pass-2")).put("/api/me/password").then().statusCode(403);
        given().auth().oauth2(capped).contentType(ContentType.JSON).body(Map.of("code", "ABCDE-FGH23")).post("/api/me/slack")
                .then().statusCode(403);
        assertThat(queryLong("SELECT count(*) FROM users WHERE username = '" + name + "' AND totp_secret IS NOT NULL")).isZero();

        String secret = given().auth().oauth2(token).post("/api/me/totp").then().statusCode(200).extract().path("secret");
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("code", oathtool(secret, 0)))
                .post("/api/me/totp/confirm").then().statusCode(200);
        // guessing the code to turn it off: each wrong guess is a failed login of the account, then 429 (5 per window)
        int refused = 0;
        int limited = 0;
        for (int i = 0; i < 8; i++) {
            int status = given().auth().oauth2(token).contentType(ContentType.JSON)
                    .body(Map.of("code", String.format("%06d", i), "password", "otp-brute-pass")).post("/api/me/totp/disable").statusCode();
            if (status == 403) {
                refused++;
            } else if (status == 429) {
                limited++;
            }
        }
        assertThat(refused).as("wrong codes answered 403 before the limit").isEqualTo(5);
        assertThat(limited).isEqualTo(3);
        // the same counter as a login: the right code is refused too while blocked, and so is a password login
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("code", oathtool(secret, 30), "password", "otp-brute-pass"))
                .post("/api/me/totp/disable").then().statusCode(429).header("Retry-After", notNullValue());
        login(name, "otp-brute-pass", oathtool(secret, 30)).then().statusCode(429);
        given().auth().oauth2(token).get("/api/me/totp").then().body("enabled", equalTo(true));
    }
}
