package io.triggerdeploy.web;

import io.triggerdeploy.common.ProblemException;
import io.vertx.core.http.HttpServerRequest;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.Map;
import java.util.stream.Collectors;

/** What the pages' filters send and link: dates from a date picker, the next page's query, this service's URL. */
final class PageQueries {

    private PageQueries() {
    }

    /** A date picker sends {@code 2026-11-27}; the API wants an instant. "to" includes the whole day. */
    static String dayStart(String day) {
        return day != null && day.matches("\\d{4}-\\d{2}-\\d{2}") ? day + "T00:00:00Z" : day;
    }

    static String dayEnd(String day) {
        if (day != null && day.matches("\\d{4}-\\d{2}-\\d{2}")) {
            try {
                return LocalDate.parse(day).plusDays(1) + "T00:00:00Z";
            } catch (DateTimeException e) {
                throw ProblemException.invalid("to", "is not a valid date");
            }
        }
        return day;
    }

    static String encode(Map<String, String> q) {
        return q.entrySet().stream().filter(e -> e.getValue() != null && !e.getValue().isBlank())
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    /** This service's URL as the browser reached it (for the addresses pages show to copy). */
    static String baseUrl(HttpServerRequest http) {
        return http.scheme() + "://" + (http.authority() == null ? "localhost:3111" : http.authority().toString());
    }
}
