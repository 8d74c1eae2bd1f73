package io.triggerdeploy.schedule;

import io.triggerdeploy.common.ProblemException;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A standard five-field cron expression (minute hour day-of-month month day-of-week) with lists, ranges, steps, month
 * and day names and the usual macros ({@code @hourly}, {@code @daily}, {@code @weekly}, {@code @monthly},
 * {@code @yearly}). As in Vixie cron, when both day fields are restricted a day matching either runs. Times are wall
 * clock times in a time zone: a time skipped by a daylight-saving change runs just after the change, and a time that
 * happens twice runs once.
 */
public final class Cron {

    private static final Map<String, String> MACROS = Map.of("@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *",
            "@monthly", "0 0 1 * *", "@weekly", "0 0 * * 0", "@daily", "0 0 * * *", "@midnight", "0 0 * * *",
            "@hourly", "0 * * * *");
    private static final List<String> MONTHS = List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT",
            "NOV", "DEC");
    private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");
    /** How far ahead a next time is looked for (an expression such as "0 0 30 2 *" never matches). */
    private static final int SEARCH_YEARS = 5;

    private final String text;
    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet daysOfMonth;
    private final BitSet months;
    private final BitSet daysOfWeek;
    private final boolean domRestricted;
    private final boolean dowRestricted;

    private Cron(String text, BitSet minutes, BitSet hours, BitSet daysOfMonth, BitSet months, BitSet daysOfWeek,
                 boolean domRestricted, boolean dowRestricted) {
        this.text = text;
        this.minutes = minutes;
        this.hours = hours;
        this.daysOfMonth = daysOfMonth;
        this.months = months;
        this.daysOfWeek = daysOfWeek;
        this.domRestricted = domRestricted;
        this.dowRestricted = dowRestricted;
    }

    /** Parses an expression; a 400 naming {@code field} says what is wrong with it. */
    public static Cron parse(String expression, String field) {
        if (expression == null || expression.isBlank() || expression.length() > 200) {
            throw ProblemException.invalid(field, "must be a cron expression such as '0 3 * * MON-FRI'");
        }
        String text = expression.trim().replaceAll("\\s+", " ");
        String expanded = MACROS.getOrDefault(text.toLowerCase(Locale.ROOT), text);
        String[] parts = expanded.split(" ");
        if (parts.length != 5) {
            throw ProblemException.invalid(field, "needs five fields (minute hour day-of-month month day-of-week), got "
                    + parts.length);
        }
        BitSet dow = set(parts[4], 0, 7, DAYS, field, "day-of-week");
        if (dow.get(7)) {
            dow.set(0);
            dow.clear(7);
        }
        return new Cron(text, set(parts[0], 0, 59, null, field, "minute"), set(parts[1], 0, 23, null, field, "hour"),
                set(parts[2], 1, 31, null, field, "day-of-month"), set(parts[3], 1, 12, MONTHS, field, "month"), dow,
                !parts[2].equals("*"), !parts[4].equals("*"));
    }

    private static BitSet set(String spec, int min, int max, List<String> names, String field, String what) {
        BitSet out = new BitSet(max + 1);
        for (String item : spec.split(",", -1)) {
            String range = item;
            int step = 1;
            int slash = item.indexOf('/');
            if (slash >= 0) {
                range = item.substring(0, slash);
                step = number(item.substring(slash + 1), 1, max, null, field, what);
            }
            int from;
            int to;
            if (range.equals("*")) {
                from = min;
                to = max;
            } else if (range.contains("-")) {
                String[] ends = range.split("-", -1);
                if (ends.length != 2) {
                    throw bad(field, what, item);
                }
                from = number(ends[0], min, max, names, field, what);
                to = number(ends[1], min, max, names, field, what);
                if (to < from) {
                    throw ProblemException.invalid(field, what + " range '" + item + "' ends before it starts");
                }
            } else {
                from = number(range, min, max, names, field, what);
                to = slash >= 0 ? max : from;
            }
            for (int v = from; v <= to; v += step) {
                out.set(v);
            }
        }
        return out;
    }

    private static int number(String s, int min, int max, List<String> names, String field, String what) {
        if (names != null) {
            int at = names.indexOf(s.toUpperCase(Locale.ROOT));
            if (at >= 0) {
                return names == MONTHS ? at + 1 : at;
            }
        }
        if (!s.matches("\\d{1,2}")) {
            throw bad(field, what, s);
        }
        int v = Integer.parseInt(s);
        if (v < min || v > max) {
            throw ProblemException.invalid(field, what + " " + v + " is outside " + min + "-" + max);
        }
        return v;
    }

    private static ProblemException bad(String field, String what, String item) {
        return ProblemException.invalid(field, "'" + item + "' is not a valid " + what);
    }

    /** The first time strictly after {@code after} at which this expression fires in {@code zone}; null if none soon. */
    public ZonedDateTime next(ZonedDateTime after, ZoneId zone) {
        ZonedDateTime from = after.withZoneSameInstant(zone);
        LocalDateTime t = from.toLocalDateTime().truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
        LocalDate limit = t.toLocalDate().plusYears(SEARCH_YEARS);
        while (t.toLocalDate().isBefore(limit)) {
            if (!months.get(t.getMonthValue())) {
                t = t.toLocalDate().withDayOfMonth(1).plusMonths(1).atStartOfDay();
            } else if (!dayMatches(t.toLocalDate())) {
                t = t.toLocalDate().plusDays(1).atStartOfDay();
            } else if (!hours.get(t.getHour())) {
                t = t.truncatedTo(ChronoUnit.HOURS).plusHours(1);
            } else if (!minutes.get(t.getMinute())) {
                t = t.plusMinutes(1);
            } else {
                ZonedDateTime z = ZonedDateTime.ofLocal(t, zone, null);
                if (z.toInstant().isAfter(after.toInstant())) {
                    return z;
                }
                t = t.plusMinutes(1);
            }
        }
        return null;
    }

    private boolean dayMatches(LocalDate d) {
        boolean dom = daysOfMonth.get(d.getDayOfMonth());
        boolean dow = daysOfWeek.get(d.getDayOfWeek().getValue() % 7);
        if (domRestricted && dowRestricted) {
            return dom || dow;
        }
        return dom && dow;
    }

    @Override
    public String toString() {
        return text;
    }

}
