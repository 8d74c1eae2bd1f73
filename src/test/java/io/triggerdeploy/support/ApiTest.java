package io.triggerdeploy.support;

import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeEach;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

/** Shared helpers for HTTP tests: wait for readiness, log in, create users, query the database. */
public abstract class ApiTest {

    public static final String ADMIN = "admin";
    public static final String ADMIN_PASSWORD = "admin-test-password";

    @BeforeEach
    void awaitReady() {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() ->
                RestAssured.get("/q/health/ready").statusCode() == 200);
    }

    public static String login(String username, String password) {
        return given().contentType(ContentType.JSON)
                .body(Map.of("username", username, "password", password))
                .post("/api/login")
                .then().statusCode(200)
                .extract().path("token");
    }

    public static String adminToken() {
        return login(ADMIN, ADMIN_PASSWORD);
    }

    public static String unique(String prefix) {
        return prefix + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Creates a user through the API and returns its id. */
    public static long createUser(String adminToken, String username, String password, String role) {
        Number id = given().auth().oauth2(adminToken).contentType(ContentType.JSON)
                .body(Map.of("username", username, "password", password, "role", role))
                .post("/api/users")
                .then().statusCode(201)
                .extract().path("id");
        return id.longValue();
    }

    /** Tokens of a fresh admin-session, operator and viewer. */
    public record RoleTokens(String admin, String operator, String viewer) {
    }

    public static RoleTokens roleTokens() {
        String admin = adminToken();
        String op = unique("op");
        String vi = unique("vi");
        createUser(admin, op, "operator-pass", "operator");
        createUser(admin, vi, "viewer-pass-1", "viewer");
        return new RoleTokens(admin, login(op, "operator-pass"), login(vi, "viewer-pass-1"));
    }

    public static Connection db() throws SQLException {
        var config = ConfigProvider.getConfig();
        return DriverManager.getConnection(config.getValue("quarkus.datasource.jdbc.url", String.class),
                config.getOptionalValue("quarkus.datasource.username", String.class).orElse("postgres"),
                config.getOptionalValue("quarkus.datasource.password", String.class).orElse(""));
    }

    public static String queryString(String sql) throws SQLException {
        try (Connection c = db(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    public static long queryLong(String sql) throws SQLException {
        try (Connection c = db(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    public static int update(String sql) throws SQLException {
        try (Connection c = db(); Statement st = c.createStatement()) {
            return st.executeUpdate(sql);
        }
    }
}
