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
                    SseEncoder.lineEvent(out, line);
                    // the line keeps microseconds in UTC, as PostgreSQL stores it
                    assertThat(line.at().toInstant()).isEqualTo(at.toInstant().truncatedTo(java.time.temporal.ChronoUnit.MICROS));
                    String json = mapper.writeValueAsString(new LogEvent(n, line.at(), DeploymentResource.streamName(stream), text));
                    assertThat(out.toString()).isEqualTo("id: " + n + "\nevent: line\ndata: " + json + "\n\n");
                    assertThat(mapper.readTree(json).get("text").asText()).isEqualTo(text);
                    n++;
                }
            }
        }
    }

    @Test
    void timesAreWrittenAsTheMapperWritesThemOnAnyDay() throws Exception {
        java.util.Random random = new java.util.Random(42);
        java.util.List<Long> micros = new java.util.ArrayList<>(java.util.List.of(0L, -1L, 1L, 100L, 100_000L, 999_999L,
                951_782_400_000_000L /* 2000-02-29 */, 4_107_542_399_999_990L /* 2100-02-28T23:59:59.99999 */,
                -30_610_224_000_000_000L /* 1000-01-01 */, -30_610_224_000_000_001L, 253_402_300_799_999_999L /* 9999-12-31 */,
                253_402_300_800_000_000L /* 10000-01-01: the formatter's own way */, -62_167_219_200_000_000L /* 0000-01-01 */));
        for (int i = 0; i < 20_000; i++) {
            micros.add(random.nextLong(-40_000_000_000_000_000L, 260_000_000_000_000_000L));
            micros.add(1_764_900_000_000_000L + random.nextLong(0, 10_000_000_000_000L)); // around now, second to second
        }
        for (long m : micros) {
            LogLine line = new LogLine(7, m, 'o', "x");
            StringBuilder out = new StringBuilder();
            SseEncoder.appendIsoUtc(out, line);
            assertThat("\"" + out + "\"").as("micros %d", m).isEqualTo(mapper.writeValueAsString(line.at()));
        }
    }
}
