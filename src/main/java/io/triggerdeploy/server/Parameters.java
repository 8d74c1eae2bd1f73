package io.triggerdeploy.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.triggerdeploy.common.ProblemException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The rules for declared parameters and for the values a trigger gives them. Every refusal is a 400 that names the
 * parameter (field {@code parameters.NAME}); a value that passes here is a string the remote shell receives quoted.
 */
public final class Parameters {

    /** The well-known version parameter: when a server does not declare it, a trigger may still give it. */
    public static final String REF = "REF";
    public static final ParameterSpec IMPLICIT_REF = new ParameterSpec(REF, "Version (branch, tag or commit)", "string",
            false, null, "[A-Za-z0-9][A-Za-z0-9._/@+-]{0,254}", null, null, null, null);
    public static final int MAX_PARAMETERS = 50;
    public static final int MAX_VALUE = 4096;
    public static final int MIN_SECRET = 4;
    private static final Pattern NAME = Pattern.compile("[A-Z][A-Z0-9_]{0,63}");

    /** Names the shell or the dynamic loader give a meaning to, and our own namespace. */
    private static final Set<String> RESERVED = Set.of("PATH", "HOME", "USER", "LOGNAME", "SHELL", "IFS", "ENV", "BASH_ENV",
            "SHELLOPTS", "BASHOPTS", "PS1", "PS2", "PS4", "CDPATH", "PWD", "OLDPWD", "TERM", "MAIL", "OPTIND", "OPTARG",
            "HOSTNAME", "GLOBIGNORE", "PROMPT_COMMAND");

    /**
     * Names interpreters and tools on the target read as options, code or where to load code from: a free-form value
     * in one of them runs code there (NODE_OPTIONS=--require, PERL5OPT=-M, GIT_SSH_COMMAND, ...).
     */
    private static final Set<String> INTERPRETED = Set.of("NODE_OPTIONS", "NODE_PATH", "PERL5OPT", "PERL5LIB", "PERLLIB",
            "PERL5DB", "PYTHONSTARTUP", "PYTHONPATH", "PYTHONHOME", "PYTHONINSPECT", "PYTHONBREAKPOINT", "RUBYOPT", "RUBYLIB",
            "GIT_SSH", "GIT_SSH_COMMAND", "GIT_EXEC_PATH", "GIT_ASKPASS", "GIT_PROXY_COMMAND", "GIT_EXTERNAL_DIFF", "GIT_PAGER",
            "GIT_EDITOR", "SSH_ASKPASS", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS", "CLASSPATH", "PHPRC",
            "PHP_INI_SCAN_DIR", "LUA_INIT", "LUA_PATH", "LUA_CPATH", "GCONV_PATH", "EDITOR", "VISUAL", "PAGER", "ZDOTDIR",
            "PROMPT", "NPM_CONFIG_NODE_OPTIONS", "DOTNET_STARTUP_HOOKS", "GEM_PATH", "GEM_HOME", "BUNDLE_GEMFILE");
    private static final long REGEX_BUDGET_NANOS = 50_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private Parameters() {
    }

    /**
     * A secret the log can mask: at least {@link #MIN_SECRET} characters, and so is each line of a multi-line one
     * (output is masked line by line, and a shorter piece would be masked everywhere it appears or nowhere).
     */
    public static void checkSecretLength(String value, String field) {
        if (value.length() < MIN_SECRET) {
            throw ProblemException.invalid(field, "a secret must be at least " + MIN_SECRET
                    + " characters (a shorter one could not be masked in the log)");
        }
        for (String line : value.split("\r?\n")) {
            if (!line.isEmpty() && line.length() < MIN_SECRET) {
                throw ProblemException.invalid(field, "each line of a multi-line secret must be at least " + MIN_SECRET
                        + " characters (output is masked line by line; a shorter line could not be masked)");
            }
        }
    }

    /** What a trigger's values resolved to: plain values and secret values by name, and the version. */
    public record Resolved(Map<String, String> plain, Map<String, String> secrets, String ref) {

        /** The values as a deployment records them: secrets as {@code ***}, by name. */
        public Map<String, String> shown() {
            Map<String, String> all = new TreeMap<>(plain);
            secrets.keySet().forEach(k -> all.put(k, "***"));
            return all;
        }

        public boolean isEmpty() {
            return plain.isEmpty() && secrets.isEmpty();
        }
    }

    /** Checks and normalises a server's declarations (defaults in their type); a 400 naming the entry otherwise. */
    public static List<ParameterSpec> checkDefinitions(List<ParameterSpec> specs) {
        if (specs.size() > MAX_PARAMETERS) {
            throw ProblemException.invalid("parameters", "at most " + MAX_PARAMETERS + " parameters");
        }
        List<ParameterSpec> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < specs.size(); i++) {
            ParameterSpec s = specs.get(i);
            if (s == null) {
                throw ProblemException.invalid("parameters[" + i + "]", "must be an object");
            }
            checkName(s.name(), "parameters[" + i + "].name");
            String field = "parameters." + s.name();
            if (!names.add(s.name())) {
                throw ProblemException.invalid(field, "is declared twice");
            }
            out.add(checkDefinition(s, field));
        }
        return List.copyOf(out);
    }

    /** A name a parameter or secret variable may take. */
    public static void checkName(String name, String field) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw ProblemException.invalid(field, "must be 1-64 upper-case letters, digits or '_', starting with a letter");
        }
        if (RESERVED.contains(name) || name.startsWith("LD_") || name.startsWith("BASH_") || name.startsWith("TRIGGER_")) {
            throw ProblemException.invalid(field, "'" + name + "' has a meaning to the shell or to trigger-deploy; choose another name");
        }
        if (INTERPRETED.contains(name) || name.startsWith("DYLD_") || name.startsWith("GIT_CONFIG") || name.startsWith("NPM_CONFIG_")) {
            throw ProblemException.invalid(field, "'" + name + "' is read by interpreters or tools on the target as options or code "
                    + "(a value given at a trigger could run code there); choose another name and pass it on in the deploy script");
        }
    }

    private static ParameterSpec checkDefinition(ParameterSpec s, String field) {
        String type = s.type() == null ? "string" : s.type().trim().toLowerCase(Locale.ROOT);
        if (!ParameterSpec.TYPES.contains(type)) {
            throw ProblemException.invalid(field + ".type", "must be one of " + ParameterSpec.TYPES);
        }
        String label = s.label() == null || s.label().isBlank() ? null : s.label().strip();
        if (label != null && label.length() > 200 || s.description() != null && s.description().length() > 1000) {
            throw ProblemException.invalid(field, "label must be at most 200 and description at most 1000 characters");
        }
        if (s.pattern() != null && !type.equals("string") && !type.equals("secret")) {
            throw ProblemException.invalid(field + ".pattern", "applies to string and secret parameters only");
        }
        if (s.pattern() != null) {
            compile(s.pattern(), field + ".pattern");
        }
        List<String> choices = checkChoices(s, type, field);
        if ((s.min() != null || s.max() != null) && !type.equals("integer")) {
            throw ProblemException.invalid(field, "min and max apply to integer parameters only");
        }
        if (s.min() != null && s.max() != null && s.min() > s.max()) {
            throw ProblemException.invalid(field + ".max", "must not be below min");
        }
        if (type.equals("secret") && s.fallback() != null) {
            throw ProblemException.invalid(field + ".default", "a secret parameter cannot have a default (it would be stored in clear)");
        }
        ParameterSpec normal = new ParameterSpec(s.name(), label, type, s.isRequired() ? Boolean.TRUE : null, null,
                s.pattern(), choices, s.min(), s.max(), s.description() == null || s.description().isBlank() ? null : s.description().strip());
        if (s.fallback() == null) {
            return normal;
        }
        String value = value(normal, s.fallback(), field + ".default");
        Object typed = switch (type) {
            case "boolean" -> Boolean.valueOf(value);
            case "integer" -> Long.valueOf(value);
            default -> value;
        };
        return new ParameterSpec(normal.name(), normal.label(), type, normal.required(), typed, normal.pattern(), choices,
                normal.min(), normal.max(), normal.description());
    }

    private static List<String> checkChoices(ParameterSpec s, String type, String field) {
        if (!type.equals("choice")) {
            if (s.choices() != null) {
                throw ProblemException.invalid(field + ".choices", "apply to choice parameters only");
            }
            return null;
        }
        if (s.choices() == null || s.choices().isEmpty() || s.choices().size() > 100) {
            throw ProblemException.invalid(field + ".choices", "a choice parameter needs 1-100 choices");
        }
        Set<String> seen = new HashSet<>();
        for (String c : s.choices()) {
            if (c == null || c.isEmpty() || c.length() > 200 || c.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
                throw ProblemException.invalid(field + ".choices", "each choice must be 1-200 printable characters");
            }
            if (!seen.add(c)) {
                throw ProblemException.invalid(field + ".choices", "'" + c + "' is listed twice");
            }
        }
        return List.copyOf(s.choices());
    }

    /**
     * Resolves a trigger's values against a server's declarations: unknown names, wrong types and broken rules are
     * refused; defaults fill what is absent; {@code REF} is accepted when not declared.
     */
    public static Resolved resolve(List<ParameterSpec> declared, Map<String, ?> given) {
        Map<String, ParameterSpec> specs = new LinkedHashMap<>();
        declared.forEach(s -> specs.put(s.name(), s));
        specs.putIfAbsent(REF, IMPLICIT_REF);
        Map<String, ?> values = given == null ? Map.of() : given;
        for (String name : values.keySet()) {
            if (!specs.containsKey(name)) {
                throw ProblemException.invalid("parameters." + printable(name), specs.size() == 1
                        ? "is not a parameter of this server (it declares none; only REF is accepted)"
                        : "is not a parameter of this server (it declares " + String.join(", ", specs.keySet()) + ")");
            }
        }
        Map<String, String> plain = new TreeMap<>();
        Map<String, String> secrets = new TreeMap<>();
        for (ParameterSpec s : specs.values()) {
            String field = "parameters." + s.name();
            Object raw = values.get(s.name());
            if (raw == null || raw instanceof String str && str.isEmpty()) {
                raw = s.fallback();
            }
            if (raw == null) {
                if (s.isRequired()) {
                    throw ProblemException.invalid(field, "is required");
                }
                continue;
            }
            String v = value(s, raw, field);
            (s.isSecret() ? secrets : plain).put(s.name(), v);
        }
        String ref = plain.get(REF);
        if (ref != null && ref.length() > 255) {
            throw ProblemException.invalid("parameters.REF", "must be at most 255 characters");
        }
        return new Resolved(plain, secrets, ref);
    }

    /** One value in its parameter's type, as the string the command receives. */
    private static String value(ParameterSpec s, Object raw, String field) {
        String v = switch (s.type()) {
            case "boolean" -> bool(raw, field);
            case "integer" -> integer(s, raw, field);
            default -> {
                if (!(raw instanceof String str)) {
                    throw ProblemException.invalid(field, "must be a string");
                }
                yield str;
            }
        };
        checkText(v, field);
        if (s.type().equals("choice") && !s.choices().contains(v)) {
            throw ProblemException.invalid(field, "must be one of " + s.choices());
        }
        if (s.isSecret()) {
            checkSecretLength(v, field);
        }
        if (s.pattern() != null && !matches(compile(s.pattern(), field), v, field)) {
            throw ProblemException.invalid(field, s.isSecret() ? "does not match the parameter's pattern"
                    : "must match " + s.pattern());
        }
        return v;
    }

    /** Length, and what no environment variable can carry (NUL). */
    public static void checkText(String v, String field) {
        if (v.length() > MAX_VALUE) {
            throw ProblemException.invalid(field, "must be at most " + MAX_VALUE + " characters");
        }
        if (v.indexOf('\0') >= 0) {
            throw ProblemException.invalid(field, "must not contain NUL characters");
        }
    }

    private static String bool(Object raw, String field) {
        if (raw instanceof Boolean b) {
            return b.toString();
        }
        if (raw instanceof String str && (str.equalsIgnoreCase("true") || str.equalsIgnoreCase("false"))) {
            return str.toLowerCase(Locale.ROOT);
        }
        throw ProblemException.invalid(field, "must be true or false");
    }

    private static String integer(ParameterSpec s, Object raw, String field) {
        long n;
        if (raw instanceof Integer || raw instanceof Long || raw instanceof Short) {
            n = ((Number) raw).longValue();
        } else if (raw instanceof String str && str.matches("-?[0-9]{1,18}")) {
            n = Long.parseLong(str);
        } else {
            throw ProblemException.invalid(field, "must be a whole number");
        }
        if (s.min() != null && n < s.min() || s.max() != null && n > s.max()) {
            throw ProblemException.invalid(field, "must be between " + (s.min() == null ? "any" : s.min()) + " and "
                    + (s.max() == null ? "any" : s.max()));
        }
        return Long.toString(n);
    }

    private static Pattern compile(String regex, String field) {
        if (regex.length() > 500) {
            throw ProblemException.invalid(field, "must be at most 500 characters");
        }
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw ProblemException.invalid(field, "is not a valid regular expression: " + e.getDescription());
        }
    }

    /** A whole-value match that gives up after 50 ms, so a pathological pattern cannot hold a worker. */
    private static boolean matches(Pattern p, String value, String field) {
        long deadline = System.nanoTime() + REGEX_BUDGET_NANOS;
        try {
            return p.matcher(new Bounded(value, deadline)).matches();
        } catch (Bounded.TooSlow e) {
            throw ProblemException.invalid(field, "could not be checked against the pattern in time (the pattern backtracks too much)");
        }
    }

    /** Text that stops a regular expression once its time is up. */
    private record Bounded(CharSequence text, long deadline) implements CharSequence {
        static final class TooSlow extends RuntimeException {
            TooSlow() {
                super(null, null, false, false);
            }
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public char charAt(int index) {
            if ((index & 63) == 0 && System.nanoTime() > deadline) {
                throw new TooSlow();
            }
            return text.charAt(index);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new Bounded(text.subSequence(start, end), deadline);
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }

    private static String printable(String s) {
        String cut = s.length() > 64 ? s.substring(0, 64) : s;
        return cut.replaceAll("[\\x00-\\x1f\\x7f]", "?");
    }

    /** The stored declarations of a server. */
    public static List<ParameterSpec> read(String json) {
        if (json == null || json.isBlank()) {
            return List.of();
        }
        try {
            return JSON.readValue(json, new TypeReference<List<ParameterSpec>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored parameters do not parse", e);
        }
    }

    /** A name-to-string JSON object (sealed secrets, recorded values), or empty. */
    public static Map<String, String> readMap(String json) {
        if (json == null || json.isBlank()) {
            return new TreeMap<>();
        }
        try {
            return new TreeMap<>(JSON.readValue(json, new TypeReference<Map<String, String>>() { }));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored map does not parse", e);
        }
    }

    /** A stored JSON value of another shape (e.g. a server's steps). */
    static <T> T readJson(String json, Class<T> type) {
        try {
            return JSON.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored " + type.getSimpleName() + " does not parse", e);
        }
    }

    public static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
