package io.triggerdeploy.deploy;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;

/** The text of the live log's Server-Sent Events, formatted straight into a connection's chunk. */
final class SseEncoder {

    private SseEncoder() {
    }

    /** One event in SSE's text form; JSON has no raw line break, so the data is a single {@code data:} line. */
    static void event(StringBuilder out, String eventId, String name, String jsonData) {
        if (eventId != null) {
            out.append("id: ").append(eventId).append('\n');
        }
        out.append("event: ").append(name).append("\ndata: ").append(jsonData).append("\n\n");
    }

    /**
     * A {@code line} event: the text the application's JSON mapper writes for {@link LogEvent}, formatted straight
     * into the chunk (a JSON generator and a String per line cost a burst more than the rest of its way out).
     */
    static void lineEvent(StringBuilder out, LogLine l) {
        out.append("id: ").append(l.lineNo()).append("\nevent: line\ndata: {\"line\":").append(l.lineNo()).append(",\"at\":\"");
        appendIsoUtc(out, l);
        out.append("\",\"stream\":\"").append(DeploymentResource.streamName(l.stream())).append("\",\"text\":\"");
        JsonStringEncoder.getInstance().quoteAsString(l.text(), out);
        out.append("\"}\n\n");
    }

    /**
     * The line's time as {@link DateTimeFormatter#ISO_OFFSET_DATE_TIME} writes it in UTC ({@code 2026-12-05T03:19:05.1234Z}:
     * seconds always, the fraction without trailing zeros, none when zero), without the formatter's dozen objects per
     * line (a BigDecimal and Strings for every field).
     */
    static void appendIsoUtc(StringBuilder out, LogLine l) {
        long micros = l.atMicros();
        long secs = Math.floorDiv(micros, 1_000_000L);
        LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(secs, 86_400L));
        if (date.getYear() < 1000 || date.getYear() > 9999) {
            DateTimeFormatter.ISO_OFFSET_DATE_TIME.formatTo(l.at(), out); // years that are not four plain digits
            return;
        }
        int second = (int) Math.floorMod(secs, 86_400L);
        out.append(date.getYear()).append('-');
        twoDigits(out, date.getMonthValue()).append('-');
        twoDigits(out, date.getDayOfMonth()).append('T');
        twoDigits(out, second / 3600).append(':');
        twoDigits(out, second / 60 % 60).append(':');
        twoDigits(out, second % 60);
        int fraction = (int) Math.floorMod(micros, 1_000_000L);
        if (fraction != 0) {
            out.append('.');
            for (int unit = 100_000; fraction != 0; unit /= 10) { // leading zeros kept, trailing ones never written
                out.append((char) ('0' + fraction / unit));
                fraction %= unit;
            }
        }
        out.append('Z');
    }

    private static StringBuilder twoDigits(StringBuilder out, int value) {
        return out.append((char) ('0' + value / 10)).append((char) ('0' + value % 10));
    }
}
