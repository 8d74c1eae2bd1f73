package io.triggerdeploy.web;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.triggerdeploy.support.ApiTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/** No page can be framed by another site, nothing is MIME-sniffed, and the pages run only this origin's code. */
@QuarkusTest
class SecurityHeadersTest extends ApiTest {

    @Test
    void everyKindOfResponseCarriesTheHeaders() {
        Response[] responses = {
                given().get("/login"),                                        // a page
                given().auth().oauth2(adminToken()).get("/api/me"),           // the API
                given().get("/api/me"),                                       // an API error
                given().get("/static/app.css"),                               // a static file
                given().get("/q/health/ready"),                               // health
                given().get("/q/swagger-ui/"),                                // Swagger UI
                given().get("/no-such-page")};
        for (Response r : responses) {
            assertThat(r.header("X-Frame-Options")).isEqualTo("DENY");
            assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
            assertThat(r.header("Referrer-Policy")).isEqualTo("same-origin");
            assertThat(r.header("Content-Security-Policy")).contains("frame-ancestors 'none'").contains("object-src 'none'")
                    .contains("base-uri 'none'");
            // plain HTTP here: HSTS only over HTTPS
            assertThat(r.header("Strict-Transport-Security")).isNull();
        }
        assertThat(responses[0].header("Content-Security-Policy")).contains("default-src 'self'").contains("script-src 'self';")
                .doesNotContain("unsafe-inline");
        // Swagger UI's own page needs inline script and style; it still loads nothing from elsewhere
        assertThat(responses[5].header("Content-Security-Policy")).contains("script-src 'self' 'unsafe-inline'")
                .doesNotContain("http");
    }

    @Test
    void thePagesCarryNoInlineStyleOrScript() throws Exception {
        try (var files = java.nio.file.Files.walk(java.nio.file.Path.of("src/main/resources/templates"))) {
            for (var f : files.filter(p -> p.toString().endsWith(".html")).toList()) {
                String html = java.nio.file.Files.readString(f);
                assertThat(html).as(f.toString()).doesNotContain(" style=\"").doesNotContainPattern("\\son[a-z]+=")
                        .doesNotContainPattern("<script(?![^>]*\\ssrc=)[^>]*>");
            }
        }
    }

    @Test
    void aNextThatIsNotAUriSafePathGoesHomeInsteadOfFailing() {
        for (String bad : new String[]{"/deployments x", "/deployments\u3000x", "/d\u00e9ploiements", "//evil.invalid/x", "/%zz",
                "https://evil.invalid/", "/logout"}) {
            given().queryParam("next", bad).get("/login").then().statusCode(200)
                    .body(org.hamcrest.Matchers.containsString("name=\"next\" value=\"/\""));
            io.restassured.response.Response r = given().contentType("application/x-www-form-urlencoded; charset=UTF-8").redirects().follow(false)
                    .formParam("username", ADMIN).formParam("password", ADMIN_PASSWORD).formParam("next", bad).post("/login");
            assertThat(r.statusCode()).as("password login with next %s", bad).isEqualTo(303);
            assertThat(java.net.URI.create(r.header("Location")).getRawPath()).as(bad).isEqualTo("/");
        }
        io.restassured.response.Response kept = given().contentType(io.restassured.http.ContentType.URLENC).redirects().follow(false)
                .formParam("username", ADMIN).formParam("password", ADMIN_PASSWORD).formParam("next", "/deployments?status=FAILED&x=%20")
                .post("/login");
        assertThat(kept.header("Location")).endsWith("/deployments?status=FAILED&x=%20");
    }
}
