package io.triggerdeploy.web;

import io.quarkus.qute.TemplateExtension;
import io.triggerdeploy.monitor.WatchView;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;

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

    /** A span of whole seconds in words: "45 s", "15 min", "2 h 5 min", "3 d 4 h"; "—" for none. */
    static String span(Long seconds) {
        if (seconds == null) {
            return "—";
        }
        long s = seconds;
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return (s / 60) + " min";
        }
        if (s < 86_400) {
            return (s / 3600) + " h" + (s % 3600 / 60 == 0 ? "" : " " + (s % 3600 / 60) + " min");
        }
        return (s / 86_400) + " d" + (s % 86_400 / 3600 == 0 ? "" : " " + (s % 86_400 / 3600) + " h");
    }

    static String durationD(Double ms) {
        return ms == null ? "—" : duration(Math.round(ms));
    }

    static String percent(Double ratio) {
        return ratio == null ? "—" : String.format(Locale.ROOT, "%.1f %%", ratio * 100);
    }

    /** Polyline points (120 x 28 box) of response times, oldest left; empty without data. */
    static String sparkline(java.util.List<WatchView.Check> history) {
        java.util.List<Integer> ms = new java.util.ArrayList<>();
        for (int i = history.size() - 1; i >= 0; i--) {
            if (history.get(i).responseMs() != null) {
                ms.add(history.get(i).responseMs());
            }
        }
        if (ms.size() < 2) {
            return "";
        }
        int max = Math.max(1, ms.stream().mapToInt(Integer::intValue).max().orElse(1));
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < ms.size(); i++) {
            double x = 120.0 * i / (ms.size() - 1);
            double y = 27 - 26.0 * ms.get(i) / max;
            sb.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
        }
        return sb.toString().trim();
    }

    static String reachBadge(String reachability) {
        if (reachability == null) {
            return "badge";
        }
        return switch (reachability) {
            case "REACHABLE" -> "badge badge-succeeded";
            case "UNPINNED" -> "badge badge-queued";
            default -> "badge badge-failed";
        };
    }

    /** The approval dialog's question: what deciding does ("Approve deploying v1.2 to web-1 (#35)?"). */
    static String decision(String mode, Object id, String server, String ref) {
        return ("reject".equals(mode) ? "Reject" : "Approve") + " deploying " + (ref == null || ref.isBlank() ? "" : ref + " ")
                + "to " + server + " (#" + id + ")?";
    }

    /** What an approval lets run: the version and the parameters (secret values are never in a view). */
    static String deploys(String ref, Map<String, String> parameters) {
        StringBuilder s = new StringBuilder(ref == null || ref.isBlank() ? "the server's default version" : "version " + ref);
        if (parameters == null || parameters.isEmpty() || parameters.size() == 1 && parameters.containsKey("REF")) {
            return s.append(", no other parameters").toString();
        }
        s.append(", with ");
        parameters.forEach((k, v) -> {
            if (!"REF".equals(k)) {
                s.append(k).append('=').append(v).append(", ");
            }
        });
        return s.substring(0, s.length() - 2);
    }

    /** A server's SSH reachability in words: what was checked, not a code. */
    static String reachLabel(String reachability) {
        return switch (reachability == null ? "" : reachability) {
            case "REACHABLE" -> "SSH login works";
            case "LOGIN_FAILED" -> "SSH login fails";
            case "HOST_KEY_MISMATCH" -> "SSH host key changed";
            case "UNPINNED" -> "SSH host key not pinned";
            case "UNREACHABLE" -> "SSH unreachable";
            default -> "SSH " + reachability;
        };
    }

    /** CSS class of a status badge. */
    static String badge(String status) {
        return "badge badge-" + (status == null ? "none" : status.toLowerCase(Locale.ROOT));
    }

    /** A status as the pages show it: words, not a code ("AWAITING_APPROVAL" reads "Awaiting approval"). */
    static String word(String status) {
        if (status == null || status.isEmpty()) {
            return "";
        }
        String lower = status.toLowerCase(Locale.ROOT).replace('_', ' ');
        return Character.toUpperCase(lower.charAt(0)) + lower.substring(1);
    }

    static boolean isFinal(String status) {
        return status != null && !status.equals("QUEUED") && !status.equals("RUNNING") && !status.equals("AWAITING_APPROVAL");
    }

    /** A query parameter's value. */
    static String url(String value) {
        return value == null ? "" : java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8);
    }

    static String orDash(Object value) {
        return value == null || value.toString().isBlank() ? "—" : value.toString();
    }
}
