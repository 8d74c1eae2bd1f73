package io.triggerdeploy.server;

import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.common.Text;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A server's labels: what a rollout's selector matches ({@code role=web,region=eu}). Keys are lower-case names, values
 * short words, so that a selector never needs quoting; at most {@value #MAX} per server.
 */
public final class ServerLabels {

    public static final int MAX = 20;
    public static final String KEY = "^[a-z][a-z0-9_.-]{0,62}$";
    public static final String VALUE = "^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,62}$";

    private static final Pattern KEY_PATTERN = Pattern.compile(KEY);
    private static final Pattern VALUE_PATTERN = Pattern.compile(VALUE);

    private ServerLabels() {
    }

    /** The labels as given, checked, in key order; a problem naming the first bad one otherwise. */
    public static Map<String, String> check(Map<String, String> labels) {
        if (labels.size() > MAX) {
            throw ProblemException.invalid("labels", "at most " + MAX + " labels per server");
        }
        Map<String, String> sorted = new TreeMap<>();
        for (var e : labels.entrySet()) {
            if (e.getKey() == null || !KEY_PATTERN.matcher(e.getKey()).matches()) {
                throw ProblemException.invalid("labels", "'" + shown(e.getKey()) + "' is not a label key: 1-63 lower-case "
                        + "letters, digits, '_', '.' or '-', starting with a letter");
            }
            if (e.getValue() == null || !VALUE_PATTERN.matcher(e.getValue()).matches()) {
                throw ProblemException.invalid("labels." + e.getKey(), "must be 1-63 letters, digits, '_', '.', ':', '/' or "
                        + "'-', starting with a letter or digit");
            }
            sorted.put(e.getKey(), e.getValue());
        }
        return sorted;
    }

    static Map<String, String> read(String json) {
        return Parameters.readMap(json);
    }

    static String write(Map<String, String> labels) {
        return Parameters.write(new TreeMap<>(labels));
    }

    static String shown(String key) {
        return key == null ? "null" : Text.cut(key.replaceAll("\\p{Cntrl}", "?"), 40);
    }
}
