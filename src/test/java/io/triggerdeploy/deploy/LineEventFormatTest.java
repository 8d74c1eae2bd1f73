package io.triggerdeploy.deploy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

/** The live stream formats line events by hand; they must be exactly what the JSON mapper writes for a LogEvent. */
class LineEventFormatTest {

    /** Configured as application.properties configures Quarkus' mapper. */
    private final ObjectMapper mapper = new ObjectMapper().registerModule(new JavaTimeModule())
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    @Test
    void lineEventsAreWhatTheMapperWrites() throws Exception {
        OffsetDateTime[] times = {
                OffsetDateTime.of(2026, 12, 5, 3, 19, 5, 0, ZoneOffset.UTC),
                OffsetDateTime.of(2026, 12, 5, 3, 19, 0, 123_000_000, ZoneOffset.UTC),
                OffsetDateTime.of(2026, 1, 2, 23, 59, 59, 123_456_000, ZoneOffset.UTC),
                OffsetDateTime.of(2026, 1, 2, 0, 0, 0, 1, ZoneOffset.ofHours(2)),
        };
        String[] texts = {"", "plain", "quote \" backslash \\ slash /", "tab\there", "ü ✓ 😀 \u2028 \u2029",
                "control \u0001 \u001f del \u007f", "<script>alert(1)</script>", "[step] verify: FAILED — x"};
        char[] streams = {'o', 'e', 's'};
        int n = 1;
        for (OffsetDateTime at : times) {
            for (String text : texts) {
                for (char stream : streams) {
                    LogLine line = new LogLine(n, at, stream, text);
                    StringBuilder out = new StringBuilder();
                    DeploymentStream.lineEvent(out, line);
                    String json = mapper.writeValueAsString(new LogEvent(n, at, DeploymentResource.streamName(stream), text));
                    assertThat(out.toString()).isEqualTo("id: " + n + "\nevent: line\ndata: " + json + "\n\n");
                    assertThat(mapper.readTree(json).get("text").asText()).isEqualTo(text);
                    n++;
                }
            }
        }
    }
}
