package io.triggerdeploy.schedule;

import io.triggerdeploy.common.ProblemException;
import org.junit.jupiter.api.Test;

import java.time.ZoneId;
import java.time.ZonedDateTime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Five-field cron: fields, names, steps, the day-field rule, daylight-saving changes, bad expressions. */
class CronTest {

    static final ZoneId UTC = ZoneId.of("UTC");
    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    static ZonedDateTime at(String iso, ZoneId zone) {
        return ZonedDateTime.parse(iso).withZoneSameInstant(zone);
    }

    String next(String cron, String after, ZoneId zone) {
        return Cron.parse(cron, "cron").next(at(after, zone), zone).toOffsetDateTime().toString();
    }

    @Test
    void fieldsRangesStepsAndNames() {
        assertThat(next("* * * * *", "2026-12-03T10:15:30Z", UTC)).isEqualTo("2026-12-03T10:16Z");
        assertThat(next("*/15 * * * *", "2026-12-03T10:15:00Z", UTC)).isEqualTo("2026-12-03T10:30Z");
        assertThat(next("0 3 * * MON-FRI", "2026-12-04T03:00:00Z", UTC)).isEqualTo("2026-12-07T03:00Z"); // Friday -> Monday
        assertThat(next("30 9 1 jan,jul *", "2026-12-03T00:00:00Z", UTC)).isEqualTo("2027-01-01T09:30Z");
        assertThat(next("0 0 * * 7", "2026-12-03T00:00:00Z", UTC)).isEqualTo("2026-12-06T00:00Z"); // 7 is Sunday too
        assertThat(next("5/20 8-10 * * *", "2026-12-03T10:45:00Z", UTC)).isEqualTo("2026-12-04T08:05Z");
        assertThat(next("@daily", "2026-12-03T10:00:00Z", UTC)).isEqualTo("2026-12-04T00:00Z");
        assertThat(next("0 0 29 2 *", "2026-03-01T00:00:00Z", UTC)).isEqualTo("2028-02-29T00:00Z");
    }

    @Test
    void whenBothDayFieldsAreSetEitherOneMatches() {
        // the 13th, or any Friday
        assertThat(next("0 12 13 * FRI", "2026-12-03T13:00:00Z", UTC)).isEqualTo("2026-12-04T12:00Z");
        assertThat(next("0 12 13 * FRI", "2026-12-12T13:00:00Z", UTC)).isEqualTo("2026-12-13T12:00Z");
    }

    @Test
    void wallClockTimesAcrossDaylightSavingChanges() {
        // 03:00 every day in Berlin is 02:00Z in winter and 01:00Z in summer
        assertThat(next("0 3 * * *", "2026-03-28T03:00:00+01:00", BERLIN)).isEqualTo("2026-03-29T03:00+02:00");
        // 02:30 does not exist on 2026-03-29: it runs just after the change, once
        assertThat(next("30 2 * * *", "2026-03-28T12:00:00+01:00", BERLIN)).isEqualTo("2026-03-29T03:30+02:00");
        assertThat(next("30 2 * * *", "2026-03-29T03:30:00+02:00", BERLIN)).isEqualTo("2026-03-30T02:30+02:00");
        // 02:30 happens twice on 2026-10-25: it runs once
        String first = next("30 2 * * *", "2026-10-24T12:00:00+02:00", BERLIN);
        assertThat(first).isEqualTo("2026-10-25T02:30+02:00");
        assertThat(next("30 2 * * *", first, BERLIN)).isEqualTo("2026-10-26T02:30+01:00");
    }

    @Test
    void badExpressionsNameWhatIsWrong() {
        assertThatThrownBy(() -> Cron.parse("* * * *", "cron")).isInstanceOf(ProblemException.class).hasMessageContaining("five fields");
        assertThatThrownBy(() -> Cron.parse("61 * * * *", "cron")).hasMessageContaining("minute 61 is outside 0-59");
        assertThatThrownBy(() -> Cron.parse("* * * FOO *", "cron")).hasMessageContaining("month");
        assertThatThrownBy(() -> Cron.parse("5-1 * * * *", "cron")).hasMessageContaining("ends before it starts");
        assertThatThrownBy(() -> Cron.parse("*/0 * * * *", "cron")).hasMessageContaining("outside");
        assertThatThrownBy(() -> Cron.parse("", "cron")).hasMessageContaining("cron expression");
        assertThat(Cron.parse("0 0 30 2 *", "cron").next(at("2026-01-01T00:00:00Z", UTC), UTC)).as("never").isNull();
    }
}
