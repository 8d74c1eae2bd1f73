package io.triggerdeploy.user;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.triggerdeploy.support.ApiTest;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

/** Users exported from the Flask tool log in with their old passwords and are moved to bcrypt. */
@QuarkusTest
class LegacyImportTest extends ApiTest {

    static final String PBKDF2 = "pbkdf2:sha256:600000$Xy7Qz1$4a6adba9f434452bdc25c9bd51763794630780b963d76c7b2d8fc2fb86608980";
    static final String SCRYPT = "scrypt:32768:8:1$s4ltS4lt$6bd22b610e05ac360f0b6727fe01ebbbf029b0dc1e56672338bd822f442f68e8fe7f3bc5c9c9d8bd6151f634fe54302d8b0c3bea57fdab1f5b5a90f07145291a";

    @Test
    void importKeepsHashesMapsRolesAndRehashesOnLogin() throws Exception {
        String admin = adminToken();
        String boss = unique("boss");
        String dev = unique("dev");
        String off = unique("off");
        List<Map<String, Object>> rows = List.of(
                row(boss, boss + "@old.example", PBKDF2, "superadmin", true),
                row(dev, null, SCRYPT, "user", true),
                row(off, null, PBKDF2, "viewer", false),
                row(dev, null, PBKDF2, "user", true),
                row("bad name!", null, PBKDF2, "user", true),
                row(unique("md5"), null, "md5$abc$def", "user", true));
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(rows).post("/api/users/import")
                .then().statusCode(200)
                .body("created", hasSize(3))
                .body("skipped", hasSize(3))
                .body("created[0].role", equalTo("admin"))
                .body("created[1].role", equalTo("operator"))
                .body("created[2].active", equalTo(false));

        assertThat(queryString("SELECT password_hash FROM users WHERE username = '" + dev + "'")).isEqualTo(SCRYPT);
        given().contentType(ContentType.JSON).body(Map.of("username", dev, "password", "wrong")).post("/api/login").then().statusCode(401);
        assertThat(queryString("SELECT password_hash FROM users WHERE username = '" + dev + "'")).isEqualTo(SCRYPT);

        given().contentType(ContentType.JSON).body(Map.of("username", dev, "password", "scrypt-pass"))
                .post("/api/login").then().statusCode(200).body("user.role", equalTo("operator"));
        assertThat(queryString("SELECT password_hash FROM users WHERE username = '" + dev + "'")).startsWith("$2a$");
        login(dev, "scrypt-pass");

        given().contentType(ContentType.JSON).body(Map.of("username", boss + "@old.example", "password", "legacy-pass"))
                .post("/api/login").then().statusCode(200).body("user.role", equalTo("admin"));
        assertThat(queryString("SELECT password_hash FROM users WHERE username = '" + boss + "'")).startsWith("$2a$");
        given().contentType(ContentType.JSON).body(Map.of("username", off, "password", "legacy-pass")).post("/api/login").then().statusCode(401);

        // importing again creates nothing and overwrites nothing
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(rows.subList(0, 2)).post("/api/users/import")
                .then().statusCode(200).body("created", hasSize(0)).body("skipped", hasSize(2));
        assertThat(queryString("SELECT password_hash FROM users WHERE username = '" + dev + "'")).startsWith("$2a$");

        given().auth().oauth2(admin).contentType(ContentType.JSON).body("{\"not\":\"a list\"}").post("/api/users/import")
                .then().statusCode(400);
    }

    private static Map<String, Object> row(String username, String email, String hash, String role, boolean active) {
        Map<String, Object> m = new HashMap<>();
        m.put("username", username);
        m.put("email", email);
        m.put("password_hash", hash);
        m.put("role", role);
        m.put("is_active", active);
        return m;
    }
}
