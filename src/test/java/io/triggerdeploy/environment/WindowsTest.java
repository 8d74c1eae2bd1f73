package io.triggerdeploy.environment;

import io.triggerdeploy.common.ProblemException;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Freeze windows, weekly freezes and deploy hours, in a named time zone, across midnight and daylight-saving changes. */
class WindowsTest {

    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    @Test
    void aOneOffFreezeHoldsFromItsStartUntilItsEnd() {
        Windows w = new Windows(List.of(new Windows.Freeze(OffsetDateTime.parse("2026-12-20T00:00:00+01:00"),
                OffsetDateTime.parse("2027-01-04T00:00:00+01:00"), "Holidays")), null, null).checked();
        assertThat(w.blockAt(Instant.parse("2026-12-19T22:59:59Z"), BERLIN)).isEmpty();
        var b = w.blockAt(Instant.parse("2026-12-19T23:00:00Z"), BERLIN).orElseThrow();
        assertThat(b.kind()).isEqualTo("freeze");
        assertThat(b.reason()).isEqualTo("Holidays");
        assertThat(b.until()).isEqualTo(Instant.parse("2027-01-03T23:00:00Z"));
        assertThat(w.blockAt(Instant.parse("2027-01-03T23:00:00Z"), BERLIN)).isEmpty();
    }

    @Test
    void aWeeklyFreezeKeepsItsWallClockTimesAcrossTheDaylightSavingChange() {
        // Sundays 01:00-04:00 Berlin time; on 2026-03-29 the clocks jump from 02:00 to 03:00, so the window is two hours long
        Windows w = new Windows(null, List.of(new Windows.Weekly(List.of("sun"), "01:00", "04:00", "maintenance")), null).checked();
        Instant start = Instant.parse("2026-03-29T00:00:00Z"); // 01:00 CET
        assertThat(w.blockAt(start.minusSeconds(1), BERLIN)).isEmpty();
        assertThat(w.blockAt(start, BERLIN).orElseThrow().until()).isEqualTo(Instant.parse("2026-03-29T02:00:00Z")); // 04:00 CEST
        // 02:30Z is 04:30 CEST: open again, though a fixed +01:00 offset would still call it frozen
        assertThat(w.blockAt(Instant.parse("2026-03-29T02:30:00Z"), BERLIN)).isEmpty();
        // the week before, the same window is three hours long
        assertThat(w.blockAt(Instant.parse("2026-03-22T02:30:00Z"), BERLIN)).isPresent();
        // and in October (clocks back 03:00 -> 02:00) it is four
        assertThat(w.blockAt(Instant.parse("2026-10-25T02:30:00Z"), BERLIN).orElseThrow().until())
                .isEqualTo(Instant.parse("2026-10-25T03:00:00Z"));
    }

    @Test
    void deployHoursHoldEverythingElseUntilTheNextOpening() {
        Windows w = new Windows(null, null, new Windows.Hours(List.of("MON", "TUE", "WED", "THU", "FRI"), "09:00", "17:00")).checked();
        // Friday 2026-12-04 16:59 Berlin: open
        assertThat(w.blockAt(Instant.parse("2026-12-04T15:59:00Z"), BERLIN)).isEmpty();
        // Friday 17:00: held until Monday 09:00
        var b = w.blockAt(Instant.parse("2026-12-04T16:00:00Z"), BERLIN).orElseThrow();
        assertThat(b.kind()).isEqualTo("outside deploy hours");
        assertThat(b.reason()).isEqualTo("deploys allowed MON,TUE,WED,THU,FRI 09:00-17:00");
        assertThat(b.until()).isEqualTo(Instant.parse("2026-12-07T08:00:00Z"));
        assertThat(w.clearAt(Instant.parse("2026-12-05T12:00:00Z"), BERLIN)).isEqualTo(Instant.parse("2026-12-07T08:00:00Z"));
    }

    @Test
    void windowsMayRunPastMidnightAndChainIntoEachOther() {
        Windows w = new Windows(null, List.of(new Windows.Weekly(List.of("FRI"), "22:00", "02:00", "backups")),
                new Windows.Hours(List.of("SAT", "FRI"), "20:00", "03:00")).checked();
        ZoneId utc = ZoneId.of("UTC");
        // Saturday 2026-12-05 01:00 is inside Friday's 22:00-02:00 freeze, then open 02:00-03:00
        assertThat(w.blockAt(Instant.parse("2026-12-05T01:00:00Z"), utc).orElseThrow().until()).isEqualTo(Instant.parse("2026-12-05T02:00:00Z"));
        assertThat(w.clearAt(Instant.parse("2026-12-05T01:00:00Z"), utc)).isEqualTo(Instant.parse("2026-12-05T02:00:00Z"));
        // Friday 21:00: inside the hours, before the freeze
        assertThat(w.blockAt(Instant.parse("2026-12-04T21:00:00Z"), utc)).isEmpty();
        // Saturday 03:30: closed until Saturday 20:00
        assertThat(w.clearAt(Instant.parse("2026-12-05T03:30:00Z"), utc)).isEqualTo(Instant.parse("2026-12-05T20:00:00Z"));
    }

    @Test
    void badWindowsAreRefusedNamingTheField() {
        assertThatThrownBy(() -> new Windows(List.of(new Windows.Freeze(OffsetDateTime.parse("2026-12-20T00:00:00Z"),
                OffsetDateTime.parse("2026-12-19T00:00:00Z"), null)), null, null).checked())
                .isInstanceOf(ProblemException.class).hasMessageContaining("freeze_windows[0].end");
        assertThatThrownBy(() -> new Windows(null, List.of(new Windows.Weekly(List.of("Funday"), "01:00", "02:00", null)), null).checked())
                .hasMessageContaining("weekly_freezes[0].days");
        assertThatThrownBy(() -> new Windows(null, null, new Windows.Hours(List.of("MON"), "9:00", "17:00")).checked())
                .hasMessageContaining("deploy_hours.from");
        assertThatThrownBy(() -> new Windows(null, null, new Windows.Hours(List.of("MON"), "25:00", "17:00")).checked())
                .hasMessageContaining("deploy_hours.from");
        assertThatThrownBy(() -> new Windows(null, null, new Windows.Hours(List.of("MON"), "09:00", "09:00")).checked())
                .hasMessageContaining("deploy_hours.to");
        assertThatThrownBy(() -> Windows.zone("Mars/Olympus", "time_zone")).hasMessageContaining("time_zone");
    }
}
