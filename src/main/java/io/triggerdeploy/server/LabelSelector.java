package io.triggerdeploy.server;

import io.triggerdeploy.common.ProblemException;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A label selector, as rollouts and the server list take it: terms joined by commas, all of which must hold.
 * {@code role=web} (or {@code ==}), {@code region!=us}, {@code tier in (a, b)}, {@code tier notin (c)}, {@code canary}
 * (the label is set) and {@code !canary} (it is not). A server without a label matches {@code !=} and {@code notin}.
 */
public final class LabelSelector {

    static final int MAX_LENGTH = 500;
    static final int MAX_TERMS = 20;

    private static final Pattern KEY = Pattern.compile(ServerLabels.KEY);
    private static final Pattern VALUE = Pattern.compile(ServerLabels.VALUE);
    private static final Pattern SET = Pattern.compile("^([^\\s!=()]+)\\s+(in|notin)\\s*\\((.*)\\)$");

    private final List<Term> terms;
    private final String text;

    private LabelSelector(List<Term> terms, String text) {
        this.terms = terms;
        this.text = text;
    }

    /** One condition on one key. */
    private record Term(String key, Op op, Set<String> values) {
        boolean test(Map<String, String> labels) {
            String v = labels.get(key);
            return switch (op) {
                case IN -> v != null && values.contains(v);
                case NOT_IN -> v == null || !values.contains(v);
                case EXISTS -> v != null;
                case ABSENT -> v == null;
            };
        }
    }

    private enum Op { IN, NOT_IN, EXISTS, ABSENT }

    /** The selector {@code text} says, or a 400 naming {@code field} and what is wrong with it. */
    public static LabelSelector parse(String text, String field) {
        if (text == null || text.isBlank()) {
            throw ProblemException.invalid(field, "is empty: write terms like role=web,region!=us");
        }
        if (text.length() > MAX_LENGTH) {
            throw ProblemException.invalid(field, "is longer than " + MAX_LENGTH + " characters");
        }
        List<Term> terms = new ArrayList<>();
        for (String raw : split(text, field)) {
            terms.add(term(raw.trim(), field));
        }
        if (terms.size() > MAX_TERMS) {
            throw ProblemException.invalid(field, "has more than " + MAX_TERMS + " terms");
        }
        return new LabelSelector(List.copyOf(terms), text.trim());
    }

    public boolean matches(Map<String, String> labels) {
        return terms.stream().allMatch(t -> t.test(labels));
    }

    @Override
    public String toString() {
        return text;
    }

    /** The terms: split at the commas outside parentheses. */
    private static List<String> split(String text, String field) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            }
            if (depth < 0 || depth > 1) {
                throw ProblemException.invalid(field, "has unbalanced parentheses");
            }
            if (c == ',' && depth == 0) {
                parts.add(text.substring(start, i));
                start = i + 1;
            }
        }
        if (depth != 0) {
            throw ProblemException.invalid(field, "has unbalanced parentheses");
        }
        parts.add(text.substring(start));
        return parts;
    }

    private static Term term(String t, String field) {
        if (t.isEmpty()) {
            throw ProblemException.invalid(field, "has an empty term (two commas, or one at an end)");
        }
        var set = SET.matcher(t);
        if (set.matches()) {
            Set<String> values = new LinkedHashSet<>();
            for (String v : set.group(3).split(",", -1)) {
                values.add(value(v.trim(), field));
            }
            return new Term(key(set.group(1), field), set.group(2).equals("in") ? Op.IN : Op.NOT_IN, Set.copyOf(values));
        }
        int ne = t.indexOf("!=");
        if (ne > 0) {
            return new Term(key(t.substring(0, ne).trim(), field), Op.NOT_IN, Set.of(value(t.substring(ne + 2).trim(), field)));
        }
        int eq = t.indexOf('=');
        if (eq > 0) {
            String v = t.substring(t.startsWith("==", eq) ? eq + 2 : eq + 1).trim();
            return new Term(key(t.substring(0, eq).trim(), field), Op.IN, Set.of(value(v, field)));
        }
        if (t.startsWith("!")) {
            return new Term(key(t.substring(1).trim(), field), Op.ABSENT, Set.of());
        }
        return new Term(key(t, field), Op.EXISTS, Set.of());
    }

    private static String key(String k, String field) {
        if (!KEY.matcher(k).matches()) {
            throw ProblemException.invalid(field, "'" + ServerLabels.shown(k) + "' is not a label key (lower-case letters, digits, "
                    + "'_', '.', '-', starting with a letter)");
        }
        return k;
    }

    private static String value(String v, String field) {
        if (!VALUE.matcher(v).matches()) {
            throw ProblemException.invalid(field, "'" + ServerLabels.shown(v) + "' is not a label value (letters, digits, '_', "
                    + "'.', ':', '/', '-', starting with a letter or digit)");
        }
        return v;
    }
}
