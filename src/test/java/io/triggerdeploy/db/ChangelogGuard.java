package io.triggerdeploy.db;

import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;

/**
 * The rule every changeset keeps: it can run again over its own effect and end in the same state. Liquibase commits a
 * changeset's SQL and records it in {@code databasechangelog} in two separate steps, so a process killed between them
 * leaves the change applied but unrecorded, and the next start runs it again. A changeset passes when it has a
 * {@code <preConditions onFail="MARK_RAN">} that sees its effect, or when every statement of its {@code <sql>} is of a
 * form that runs again harmlessly ({@code IF NOT EXISTS}, {@code IF EXISTS}, {@code CREATE OR REPLACE},
 * {@code ON CONFLICT}, a constraint or trigger dropped if it exists before it is made, a guarded {@code DO} block, or
 * a data change with a {@code -- idempotent: why} comment).
 */
final class ChangelogGuard {

    static final String WHY = "Liquibase commits a changeset and records it in two steps, so a crash between them runs it "
            + "again at the next start, over its own effect";

    private static final Pattern IDENT = Pattern.compile("\"?([A-Za-z_][A-Za-z0-9_$]*)\"?");

    private ChangelogGuard() {
    }

    /** One refusal: where, which statement, and what to write instead. */
    record Refusal(String where, String statement, String fix) {
        @Override
        public String toString() {
            return where + ": `" + abbreviate(statement) + "` cannot run again (" + WHY + "); " + fix;
        }
    }

    record Result(int changesets, List<Refusal> refusals) {
    }

    static Result check(Path file) throws Exception {
        var factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(false);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        var doc = factory.newDocumentBuilder().parse(file.toFile());
        NodeList sets = doc.getElementsByTagName("changeSet");
        List<Refusal> refusals = new ArrayList<>();
        for (int i = 0; i < sets.getLength(); i++) {
            Element cs = (Element) sets.item(i);
            refusals.addAll(checkChangeSet(file.getFileName() + " changeset " + cs.getAttribute("id"), cs));
        }
        return new Result(sets.getLength(), refusals);
    }

    static List<Refusal> checkChangeSet(String where, Element changeSet) {
        List<Refusal> refusals = new ArrayList<>();
        List<String> sql = new ArrayList<>();
        boolean markRan = false;
        for (Node n = changeSet.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (!(n instanceof Element e)) {
                continue;
            }
            switch (e.getTagName()) {
                case "validCheckSum", "comment", "rollback", "modifySql", "tagDatabase" -> {
                }
                case "preConditions" -> markRan = "MARK_RAN".equals(e.getAttribute("onFail")) && hasElementChild(e);
                case "sql" -> sql.add(e.getTextContent());
                default -> refusals.add(new Refusal(where, "<" + e.getTagName() + ">",
                        "Liquibase's <" + e.getTagName() + "> has no 'if not exists' form: write it as <sql> with an "
                                + "idempotent statement, or give the changeset <preConditions onFail=\"MARK_RAN\"> that sees its effect"));
            }
        }
        if (markRan) {
            return List.of(); // a precondition that sees the effect marks the changeset ran instead of running it again
        }
        Scope scope = new Scope();
        for (String block : sql) {
            for (String statement : statements(block)) {
                String fix = refusal(statement, scope);
                if (fix != null) {
                    refusals.add(new Refusal(where, statement, fix));
                }
            }
        }
        return refusals;
    }

    /** What earlier statements of the same changeset dropped if they existed (so making them again is safe). */
    static final class Scope {
        final Set<String> droppedConstraints = new HashSet<>();
        final Set<String> droppedTriggers = new HashSet<>();
    }

    /** Null when the statement runs again harmlessly, else what to write instead. */
    static String refusal(String statement, Scope scope) {
        boolean marked = Pattern.compile("--\\s*idempotent:\\s*\\S").matcher(statement).find();
        String s = normalize(stripComments(statement));
        String u = s.toUpperCase(Locale.ROOT);
        if (u.isEmpty()) {
            return null;
        }
        if (u.matches("CREATE (TEMP |TEMPORARY |UNLOGGED )?TABLE IF NOT EXISTS .*")
                || u.matches("CREATE (UNIQUE )?INDEX (CONCURRENTLY )?IF NOT EXISTS .*")
                || u.matches("CREATE (EXTENSION|SCHEMA|SEQUENCE) IF NOT EXISTS .*")
                || u.matches("CREATE OR REPLACE (FUNCTION|PROCEDURE|VIEW|TRIGGER|RULE|AGGREGATE) .*")
                || u.matches("COMMENT ON .*") || u.matches("(GRANT|REVOKE|SELECT|ANALYZE|SET|RESET) .*")) {
            return null;
        }
        Matcher drop = Pattern.compile("DROP (TABLE|INDEX|VIEW|MATERIALIZED VIEW|FUNCTION|PROCEDURE|TRIGGER|SEQUENCE|TYPE|EXTENSION|SCHEMA|RULE) "
                + "(CONCURRENTLY )?IF EXISTS (.*)").matcher(u);
        if (drop.matches()) {
            if (drop.group(1).equals("TRIGGER")) {
                Matcher t = Pattern.compile("(\\S+) ON (\\S+).*").matcher(drop.group(3));
                if (t.matches()) {
                    scope.droppedTriggers.add(bare(t.group(1)) + " ON " + bare(t.group(2)));
                }
            }
            return null;
        }
        if (u.startsWith("DROP ")) {
            return "write DROP … IF EXISTS";
        }
        Matcher trigger = Pattern.compile("CREATE (CONSTRAINT )?TRIGGER (\\S+) .*? ON (\\S+) .*").matcher(u);
        if (trigger.matches()) {
            String key = bare(trigger.group(2)) + " ON " + bare(trigger.group(3));
            return scope.droppedTriggers.contains(key) ? null
                    : "put DROP TRIGGER IF EXISTS " + bare(trigger.group(2)).toLowerCase(Locale.ROOT) + " ON "
                    + bare(trigger.group(3)).toLowerCase(Locale.ROOT) + " before it in the same changeset";
        }
        if (u.startsWith("ALTER TABLE ")) {
            return alterTable(s, scope);
        }
        if (u.startsWith("INSERT ")) {
            return u.contains(" ON CONFLICT ") ? null : "add ON CONFLICT DO NOTHING (or DO UPDATE) so a second run adds no row";
        }
        if (u.startsWith("DO ")) {
            return doBlock(s, scope);
        }
        if (u.startsWith("UPDATE ") || u.startsWith("DELETE ") || u.startsWith("WITH ")) {
            return marked ? null : "a data change may run twice: make it so (SET to values, not from the column itself; "
                    + "a WHERE that leaves changed rows alone) and say why in a '-- idempotent: …' comment before it";
        }
        if (u.startsWith("CREATE ")) {
            return "write CREATE … IF NOT EXISTS or CREATE OR REPLACE, or guard it in a DO block that checks the catalog";
        }
        return "a statement this rule does not know: give the changeset <preConditions onFail=\"MARK_RAN\"> that sees its "
                + "effect, or a DO block that checks the catalog first";
    }

    private static String alterTable(String s, Scope scope) {
        Matcher m = Pattern.compile("(?is)ALTER TABLE (IF EXISTS )?(ONLY )?(\\S+) (.*)").matcher(s);
        if (!m.matches()) {
            return "an ALTER TABLE this rule cannot read";
        }
        for (String action : topLevel(m.group(4), ',')) {
            String a = normalize(action).toUpperCase(Locale.ROOT);
            Matcher dropConstraint = Pattern.compile("DROP CONSTRAINT IF EXISTS (\\S+).*").matcher(a);
            Matcher addConstraint = Pattern.compile("ADD CONSTRAINT (\\S+) .*").matcher(a);
            if (dropConstraint.matches()) {
                scope.droppedConstraints.add(bare(dropConstraint.group(1)));
            } else if (addConstraint.matches()) {
                if (!scope.droppedConstraints.contains(bare(addConstraint.group(1)))) {
                    return "PostgreSQL has no ADD CONSTRAINT IF NOT EXISTS: DROP CONSTRAINT IF EXISTS "
                            + bare(addConstraint.group(1)).toLowerCase(Locale.ROOT) + " first (same statement or changeset)";
                }
            } else if (!(a.matches("ADD COLUMN IF NOT EXISTS .*") || a.matches("DROP COLUMN IF EXISTS .*")
                    || a.matches("ALTER (COLUMN )?\\S+ (TYPE|SET DATA TYPE|SET DEFAULT|DROP DEFAULT|SET NOT NULL|DROP NOT NULL|SET STATISTICS|SET STORAGE) ?.*")
                    || a.matches("(ENABLE|DISABLE) (ALWAYS |REPLICA )?TRIGGER .*") || a.matches("(SET|RESET|OWNER TO) .*"))) {
                if (a.startsWith("ADD ") && !a.startsWith("ADD COLUMN")) {
                    return "name the constraint and DROP CONSTRAINT IF EXISTS it first";
                }
                if (a.startsWith("ADD ")) {
                    return "write ADD COLUMN IF NOT EXISTS";
                }
                if (a.startsWith("DROP ")) {
                    return "write DROP COLUMN / DROP CONSTRAINT IF EXISTS";
                }
                return "'" + abbreviate(a) + "' cannot run twice (a RENAME fails the second time): guard it in a DO block "
                        + "that checks the catalog, or use a MARK_RAN precondition";
            }
        }
        return null;
    }

    private static String doBlock(String s, Scope scope) {
        Matcher m = Pattern.compile("(?is)DO (\\$[A-Za-z_]*\\$)(.*)\\1.*").matcher(s);
        if (!m.matches()) {
            return "a DO block this rule cannot read (use a dollar-quoted body)";
        }
        String body = m.group(2);
        String ub = normalize(body).toUpperCase(Locale.ROOT);
        if (ub.matches(".*\\bIF (NOT )?EXISTS ?\\(.*") || ub.matches(".*EXCEPTION WHEN (DUPLICATE_\\w+|UNIQUE_VIOLATION).*")) {
            return null; // guarded by a catalog check or by catching "already there"
        }
        for (String inner : statements(body)) {
            String i = normalize(stripComments(inner)).replaceFirst("(?i)^(BEGIN|DECLARE\\b.*?\\bBEGIN)\\s+", "");
            String ui = i.toUpperCase(Locale.ROOT);
            if (ui.matches("(CREATE|ALTER|DROP|INSERT|UPDATE|DELETE|TRUNCATE) .*")) {
                String fix = refusal(i, scope);
                if (fix != null) {
                    return "inside the DO block: " + fix;
                }
            }
        }
        return null;
    }

    /** Splits SQL text at top-level semicolons, honouring quotes, dollar quotes and comments. */
    static List<String> statements(String sql) {
        List<String> out = new ArrayList<>();
        for (String s : topLevel(sql, ';')) {
            if (!normalize(stripComments(s)).isEmpty()) {
                out.add(s.strip());
            }
        }
        return out;
    }

    /** Splits at {@code sep} outside quotes, dollar quotes, comments and parentheses. */
    static List<String> topLevel(String sql, char sep) {
        List<String> parts = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int depth = 0;
        int i = 0;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            int end = -1;
            if (c == '\'' || c == '"') {
                end = sql.indexOf(c, i + 1);
                while (end > 0 && end + 1 < sql.length() && sql.charAt(end + 1) == c) {
                    end = sql.indexOf(c, end + 2);
                }
            } else if (c == '-' && sql.startsWith("--", i)) {
                end = sql.indexOf('\n', i);
            } else if (c == '/' && sql.startsWith("/*", i)) {
                end = sql.indexOf("*/", i);
                end = end < 0 ? -1 : end + 1;
            } else if (c == '$') {
                Matcher tag = Pattern.compile("\\$[A-Za-z_]*\\$").matcher(sql).region(i, sql.length());
                if (tag.lookingAt()) {
                    int close = sql.indexOf(tag.group(), tag.end());
                    end = close < 0 ? sql.length() - 1 : close + tag.group().length() - 1;
                }
            }
            if (end >= i) {
                cur.append(sql, i, end + 1);
                i = end + 1;
                continue;
            } else if (c == '\'' || c == '"' || c == '-' && sql.startsWith("--", i) || c == '/' && sql.startsWith("/*", i)) {
                cur.append(sql.substring(i)); // unterminated: the rest belongs to it
                break;
            }
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            }
            if (c == sep && depth == 0) {
                parts.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
            i++;
        }
        parts.add(cur.toString());
        return parts;
    }

    static String stripComments(String sql) {
        return sql.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("--[^\n]*", " ");
    }

    static String normalize(String s) {
        return s.replaceAll("\\s+", " ").strip();
    }

    private static String bare(String ident) {
        String last = ident.substring(ident.lastIndexOf('.') + 1);
        Matcher m = IDENT.matcher(last);
        return (m.matches() ? m.group(1) : last).toUpperCase(Locale.ROOT);
    }

    private static boolean hasElementChild(Element e) {
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element) {
                return true;
            }
        }
        return false;
    }

    private static String abbreviate(String s) {
        String n = normalize(s);
        return n.length() <= 100 ? n : n.substring(0, 97) + "...";
    }
}
