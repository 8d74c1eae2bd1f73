package io.triggerdeploy.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The test profile writes the access log and the application log to files under target/; these read them. */
public final class TestLogs {

    public static final Path ACCESS = Path.of("target", "test-access.log");
    public static final Path APP = Path.of("target", "test-app.log");

    private TestLogs() {
    }

    public static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the access log has a line with this path (it is written after the response). */
    public static void awaitAccessLogged(String pathFragment) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> read(ACCESS).contains(pathFragment));
    }

    /** Neither log holds any of these values. */
    public static void assertNoneContains(String... secrets) {
        String access = read(ACCESS);
        String app = read(APP);
        assertThat(access).as("the access log is being written").isNotEmpty();
        assertThat(app).as("the application log is being written").isNotEmpty();
        for (String secret : secrets) {
            assertThat(access).as("access log").doesNotContain(secret);
            assertThat(app).as("application log").doesNotContain(secret);
        }
    }
}
