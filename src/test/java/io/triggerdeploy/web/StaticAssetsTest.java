package io.triggerdeploy.web;

import io.quarkus.test.junit.QuarkusTest;
import io.triggerdeploy.support.ApiTest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/** The pages link their CSS, JS and icon with a content version; that URL may be cached for a year, others not. */
@QuarkusTest
class StaticAssetsTest extends ApiTest {

    @Test
    void versionedStaticUrlsAreCachedLongAndOthersRevalidate() {
        String page = given().get("/login").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("/static/app\\.css\\?v=([0-9a-f]{12})").matcher(page);
        assertThat(m.find()).as("the login page links a versioned stylesheet").isTrue();
        String v = m.group(1);
        assertThat(page).contains("/static/js/main.js?v=" + v).contains("/static/favicon.svg?v=" + v);

        given().get("/static/app.css?v=" + v).then().statusCode(200)
                .header("Cache-Control", "public, max-age=31536000, immutable");
        given().get("/static/app.css").then().statusCode(200).header("Cache-Control", "no-cache");
        given().get("/static/js/main.js?v=0000deadbeef").then().statusCode(200).header("Cache-Control", "no-cache");
        assertThat(v).isEqualTo(StaticAssets.assetVersion());
    }

    @Test
    void theVersionCoversEveryStaticFile() throws IOException {
        Path root = Path.of("src/main/resources/META-INF/resources/static");
        try (Stream<Path> files = Files.walk(root)) {
            assertThat(files.filter(Files::isRegularFile).map(p -> root.relativize(p).toString().replace('\\', '/')).sorted().toList())
                    .isEqualTo(StaticAssets.FILES.stream().sorted().toList());
        }
    }
}
