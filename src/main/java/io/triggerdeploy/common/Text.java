package io.triggerdeploy.common;

/** Small text rules used across features: one copy each. */
public final class Text {

    private Text() {
    }

    /** Null, empty or only white space. */
    public static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    /** The trimmed text, or null when it is blank. */
    public static String blankToNull(String s) {
        return blank(s) ? null : s.trim();
    }

    /** At most {@code max} characters (never half a surrogate pair); null stays null. */
    public static String cut(String s, int max) {
        if (s == null || s.length() <= max) {
            return s;
        }
        int end = max > 0 && Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max;
        return s.substring(0, end);
    }

    /**
     * A free-text field as stored: stripped, null when blank, and refused (400 naming {@code field}) when it holds a
     * control character other than a line break or a tab.
     */
    public static String printableOrNull(String value, String field) {
        if (blank(value)) {
            return null;
        }
        if (value.chars().anyMatch(c -> c < 0x20 && c != '\n' && c != '\t')) {
            throw ProblemException.invalid(field, "must not contain control characters");
        }
        return value.strip();
    }
}
