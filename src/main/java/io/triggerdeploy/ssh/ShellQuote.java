package io.triggerdeploy.ssh;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Builds the remote command line so that nothing reaches the remote shell unquoted: the deploy path and
 * every word of the deploy command are single-quoted. Values that cannot be made safe are refused.
 */
public final class ShellQuote {

    /** Words of a deploy command: a program and plain arguments, no shell syntax. */
    private static final Pattern WORD = Pattern.compile("[A-Za-z0-9_./:=@%+,~-]+");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern CONTROL = Pattern.compile("[\\x00-\\x1f\\x7f]");

    private ShellQuote() {
    }

    public static String quote(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }

    /** Why a deploy path is unusable, or null when it is fine. */
    public static String pathProblem(String path) {
        if (path == null || path.isBlank()) {
            return "must not be empty";
        }
        if (CONTROL.matcher(path).find()) {
            return "must not contain control characters (newline, tab, NUL…)";
        }
        if (path.startsWith("-")) {
            return "must not start with '-'";
        }
        if (path.length() > 1024) {
            return "must be at most 1024 characters";
        }
        return null;
    }

    /** Why a deploy command is unusable, or null when it is fine. */
    public static String commandProblem(String command) {
        if (command == null || command.isBlank()) {
            return "must not be empty";
        }
        if (command.length() > 1024) {
            return "must be at most 1024 characters";
        }
        for (String word : command.strip().split("[ ]+")) {
            if (!WORD.matcher(word).matches()) {
                return "may contain only a program and plain arguments (letters, digits and _ . / : = @ % + , ~ -); "
                        + "shell syntax such as ; | & $ ` < > ( ) quotes or newlines is not allowed, got '" + printable(word) + "'";
            }
        }
        return null;
    }

    /** {@code cd '<path>' && '<word>' '<word>'…}; call only with a path and command that passed the checks. */
    public static String remoteCommand(String path, String command) {
        if (pathProblem(path) != null || commandProblem(command) != null) {
            throw new IllegalArgumentException("unsafe path or command");
        }
        List<String> words = new ArrayList<>();
        for (String word : command.strip().split("[ ]+")) {
            words.add(quote(word));
        }
        return "cd " + quote(path) + " && " + String.join(" ", words);
    }

    /**
     * {@code cd '<path>' && NAME='value'… '<word>'…}: each value single-quoted, so the remote shell passes it to the
     * command as it is. With {@code secretBytes > 0} the command first reads exactly that many bytes from its standard
     * input ({@link #secretAssignments}) and evaluates them, so secret values never appear in the remote command line
     * (or in {@code ps}); the deploy command runs only when all of them arrived.
     */
    public static String remoteCommand(String path, String command, Map<String, String> env, int secretBytes) {
        String plain = remoteCommand(path, command);
        String cd = "cd " + quote(path) + " && ";
        StringBuilder sb = new StringBuilder(cd);
        if (secretBytes > 0) {
            sb.append("eval \"$(dd bs=1 count=").append(secretBytes).append(" 2>/dev/null)\" && [ \"$TRIGGER_SECRETS_READ\" = 1 ] && ");
        }
        env.forEach((name, value) -> sb.append(checkedName(name)).append('=').append(quote(value)).append(' '));
        return sb.append(plain.substring(cd.length())).toString();
    }

    /** The standard input that {@link #remoteCommand} with secrets reads: {@code export NAME='value'…; TRIGGER_SECRETS_READ=1}. */
    public static byte[] secretAssignments(Map<String, String> secrets) {
        StringBuilder sb = new StringBuilder("export");
        secrets.forEach((name, value) -> sb.append(' ').append(checkedName(name)).append('=').append(quote(value)));
        return sb.append("; TRIGGER_SECRETS_READ=1").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String checkedName(String name) {
        if (!ENV_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not an environment variable name");
        }
        return name;
    }

    private static String printable(String s) {
        String cut = s.length() > 40 ? s.substring(0, 40) + "…" : s;
        return CONTROL.matcher(cut).replaceAll("?");
    }
}
