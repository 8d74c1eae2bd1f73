package io.triggerdeploy.environment;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.triggerdeploy.common.ProblemException;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * When an environment's servers may not be deployed: one-off freezes (an absolute start and end), weekly freezes and
 * allowed deploy hours (days and local times in the environment's time zone, so a window keeps its wall-clock times
 * across a daylight-saving change). A weekly window or the hours may run past midnight ({@code to} before {@code from}).
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Windows(
        @Schema(description = "One-off freezes") List<Freeze> freezeWindows,
        @Schema(description = "Freezes that repeat every week, in the environment's time zone") List<Weekly> weeklyFreezes,
        @Schema(description = "When deployments are allowed (absent: any time), in the environment's time zone") Hours deployHours) {

    public static final Windows NONE = new Windows(null, null, null);
    static final int MAX_WINDOWS = 50;
    static final List<String> DAYS = List.of("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN");

    /** A freeze from {@code start} (inclusive) to {@code end} (exclusive). */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Freeze(OffsetDateTime start, OffsetDateTime end, @Schema(maxLength = 200) String reason) {
    }

    /** A freeze on each of {@code days} from {@code from} to {@code to} (HH:MM local time). */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Weekly(@Schema(description = "MON … SUN") List<String> days, @Schema(example = "15:00") String from,
                         @Schema(example = "23:59") String to, @Schema(maxLength = 200) String reason) {
    }

    /** Deployments allowed on {@code days} from {@code from} to {@code to} (HH:MM local time) only. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Hours(@Schema(description = "MON … SUN") List<String> days, @Schema(example = "09:00") String from,
                        @Schema(example = "17:00") String to) {
        /** E.g. "deploys allowed MON-FRI 09:00-17:00". */
        public String describe() {
            return "deploys allowed " + String.join(",", days) + " " + from + "-" + to;
        }
    }

    /** Why deployments are held now, and until when. */
    public record Block(String kind, String reason, Instant until) {
        public String describe(ZoneId zone) {
            return kind + (reason == null || reason.isBlank() ? "" : " (" + reason + ")") + " until "
                    + until.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).atZone(zone).toOffsetDateTime();
        }
    }

    public boolean isEmpty() {
        return (freezeWindows == null || freezeWindows.isEmpty()) && (weeklyFreezes == null || weeklyFreezes.isEmpty())
                && deployHours == null;
    }

    /** The windows with every value checked; a 400 naming the first bad field. */
    public Windows checked() {
        List<Freeze> freezes = freezeWindows == null ? List.of() : freezeWindows;
        List<Weekly> weekly = weeklyFreezes == null ? List.of() : weeklyFreezes;
        if (freezes.size() > MAX_WINDOWS || weekly.size() > MAX_WINDOWS) {
            throw ProblemException.invalid(freezes.size() > MAX_WINDOWS ? "freeze_windows" : "weekly_freezes",
                    "at most " + MAX_WINDOWS + " windows");
        }
        for (int i = 0; i < freezes.size(); i++) {
            Freeze f = freezes.get(i);
            String field = "freeze_windows[" + i + "]";
            if (f == null || f.start() == null || f.end() == null) {
                throw ProblemException.invalid(field, "needs start and end (ISO-8601 date-times with an offset)");
            }
            if (!f.end().isAfter(f.start())) {
                throw ProblemException.invalid(field + ".end", "must be after start");
            }
            reason(f.reason(), field + ".reason");
        }
        List<Weekly> weeklyOut = new ArrayList<>();
        for (int i = 0; i < weekly.size(); i++) {
            Weekly w = weekly.get(i);
            String field = "weekly_freezes[" + i + "]";
            if (w == null) {
                throw ProblemException.invalid(field, "must be an object with days, from and to");
            }
            weeklyOut.add(new Weekly(days(w.days(), field + ".days"), time(w.from(), field + ".from"), time(w.to(), field + ".to"),
                    reason(w.reason(), field + ".reason")));
            sameTimes(w.from(), w.to(), field);
        }
        Hours hours = null;
        if (deployHours != null) {
            hours = new Hours(days(deployHours.days(), "deploy_hours.days"), time(deployHours.from(), "deploy_hours.from"),
                    time(deployHours.to(), "deploy_hours.to"));
            sameTimes(deployHours.from(), deployHours.to(), "deploy_hours");
        }
        Windows out = new Windows(freezes.isEmpty() ? null : freezes.stream().map(f -> new Freeze(f.start(), f.end(),
                f.reason() == null || f.reason().isBlank() ? null : f.reason().strip())).toList(),
                weeklyOut.isEmpty() ? null : weeklyOut, hours);
        return out;
    }

    private static void sameTimes(String from, String to, String field) {
        if (LocalTime.parse(from).equals(LocalTime.parse(to))) {
            throw ProblemException.invalid(field + ".to", "must differ from from");
        }
    }

    private static List<String> days(List<String> days, String field) {
        if (days == null || days.isEmpty()) {
            throw ProblemException.invalid(field, "needs at least one of " + String.join(", ", DAYS));
        }
        Set<String> seen = new HashSet<>();
        List<String> out = new ArrayList<>();
        for (String d : days) {
            String day = d == null ? "" : d.trim().toUpperCase(Locale.ROOT);
            if (!DAYS.contains(day)) {
                throw ProblemException.invalid(field, "'" + d + "' is not one of " + String.join(", ", DAYS));
            }
            if (seen.add(day)) {
                out.add(day);
            }
        }
        out.sort((a, b) -> Integer.compare(DAYS.indexOf(a), DAYS.indexOf(b)));
        return out;
    }

    private static String time(String value, String field) {
        if (value == null || !value.matches("\\d{2}:\\d{2}")) {
            throw ProblemException.invalid(field, "must be a local time HH:MM, e.g. 09:00");
        }
        try {
            return LocalTime.parse(value).toString();
        } catch (DateTimeParseException e) {
            throw ProblemException.invalid(field, "must be a local time HH:MM, e.g. 09:00");
        }
    }

    private static String reason(String reason, String field) {
        if (reason != null && (reason.length() > 200 || reason.chars().anyMatch(c -> c < 0x20 || c == 0x7f))) {
            throw ProblemException.invalid(field, "must be at most 200 printable characters");
        }
        return reason == null || reason.isBlank() ? null : reason.strip();
    }

    /** A time zone id (e.g. Europe/Berlin, UTC); a 400 naming {@code field} otherwise. */
    public static ZoneId zone(String id, String field) {
        try {
            return ZoneId.of(id == null ? "" : id.trim());
        } catch (DateTimeException e) {
            throw ProblemException.invalid(field, "must be a time zone such as UTC or Europe/Berlin");
        }
    }

    /** What holds deployments at {@code now}, if anything; {@code until} is when that one ends. */
    public Optional<Block> blockAt(Instant now, ZoneId zone) {
        for (Freeze f : freezeWindows == null ? List.<Freeze>of() : freezeWindows) {
            if (!now.isBefore(f.start().toInstant()) && now.isBefore(f.end().toInstant())) {
                return Optional.of(new Block("freeze", f.reason(), f.end().toInstant()));
            }
        }
        ZonedDateTime local = now.atZone(zone);
        for (Weekly w : weeklyFreezes == null ? List.<Weekly>of() : weeklyFreezes) {
            Optional<Instant> end = inside(local, w.days(), w.from(), w.to());
            if (end.isPresent()) {
                return Optional.of(new Block("weekly freeze", w.reason(), end.get()));
            }
        }
        if (deployHours != null && inside(local, deployHours.days(), deployHours.from(), deployHours.to()).isEmpty()) {
            return Optional.of(new Block("outside deploy hours", deployHours.describe(), nextOpening(local)));
        }
        return Optional.empty();
    }

    /** The first moment from {@code now} at which nothing holds deployments (bounded: a policy that never opens is null). */
    public Instant clearAt(Instant now, ZoneId zone) {
        Instant t = now;
        for (int i = 0; i < 200; i++) {
            Optional<Block> b = blockAt(t, zone);
            if (b.isEmpty()) {
                return t;
            }
            if (!b.get().until().isAfter(t)) {
                return null;
            }
            t = b.get().until();
        }
        return null;
    }

    /** When the window of one of {@code days} (started that day or the day before) that holds {@code t} ends. */
    private static Optional<Instant> inside(ZonedDateTime t, List<String> days, String from, String to) {
        LocalTime start = LocalTime.parse(from);
        LocalTime end = LocalTime.parse(to);
        for (int back = 0; back <= 1; back++) {
            LocalDate day = t.toLocalDate().minusDays(back);
            if (!days.contains(DAYS.get(day.getDayOfWeek().getValue() - 1))) {
                continue;
            }
            ZonedDateTime s = day.atTime(start).atZone(t.getZone());
            ZonedDateTime e = (end.isAfter(start) ? day : day.plusDays(1)).atTime(end).atZone(t.getZone());
            if (!t.isBefore(s) && t.isBefore(e)) {
                return Optional.of(e.toInstant());
            }
        }
        return Optional.empty();
    }

    /** The next start of the deploy hours after {@code t} (within the next eight days). */
    private Instant nextOpening(ZonedDateTime t) {
        LocalTime start = LocalTime.parse(deployHours.from());
        for (int ahead = 0; ahead <= 8; ahead++) {
            LocalDate day = t.toLocalDate().plusDays(ahead);
            if (deployHours.days().contains(DAYS.get(day.getDayOfWeek().getValue() - 1))) {
                ZonedDateTime s = day.atTime(start).atZone(t.getZone());
                if (s.isAfter(t)) {
                    return s.toInstant();
                }
            }
        }
        return t.plusDays(8).toInstant();
    }
}
