package io.triggerdeploy.web;

import io.quarkus.qute.TemplateExtension;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Formatting helpers for templates: {@code {fmt:time(x)}}, {@code {fmt:duration(ms)}}, {@code {fmt:badge(status)}}. */
@TemplateExtension(namespace = "fmt")
public final class Fmt {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT);

    private Fmt() {
    }

    /** Readable UTC time (pages turn it into the viewer's local time); a dash for none. */
    static String time(OffsetDateTime t) {
        return t == null ? "—" : TIME.format(t.withOffsetSameInstant(ZoneOffset.UTC));
    }

    /** ISO-8601 for {@code <time datetime>}. */
    static String iso(OffsetDateTime t) {
        return t == null ? "" : t.withOffsetSameInstant(ZoneOffset.UTC).toString();
    }

    static String duration(Long ms) {
        if (ms == null) {
            return "—";
        }
        long s = ms / 1000;
        if (s < 60) {
            return ms < 10_000 ? String.format(Locale.ROOT, "%.1f s", ms / 1000.0) : s + " s";
        }
        if (s < 3600) {
            return (s / 60) + " min " + (s % 60) + " s";
        }
        return (s / 3600) + " h " + ((s % 3600) / 60) + " min";
    }

    static String durationD(Double ms) {
        return ms == null ? "—" : duration(Math.round(ms));
    }

    static String percent(Double ratio) {
        return ratio == null ? "—" : String.format(Locale.ROOT, "%.1f %%", ratio * 100);
    }

    /** CSS class of a status badge. */
    static String badge(String status) {
        return "badge badge-" + (status == null ? "none" : status.toLowerCase(Locale.ROOT));
    }

    static boolean isFinal(String status) {
        return status != null && !status.equals("QUEUED") && !status.equals("RUNNING");
    }

    static String orDash(Object value) {
        return value == null || value.toString().isBlank() ? "—" : value.toString();
    }
}
