package io.triggerdeploy.db;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;

import static org.assertj.core.api.Assertions.assertThat;

/** Every changeset of db/changelog can run again over its own effect (see {@link ChangelogGuard}), today's and every future one. */
class ChangelogGuardTest {

    private static final Path DIR = Path.of("src", "main", "resources", "db", "changelog");

    @Test
    void everyChangesetRunsAgainOverItsOwnEffect() throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(DIR)) {
            files = s.filter(p -> p.toString().endsWith(".xml")).sorted().toList();
        }
        String master = Files.readString(Path.of("src", "main", "resources", SchemaMigrator.CHANGELOG));
        for (Path f : files) {
            assertThat(master).as("the master changelog includes %s", f.getFileName())
                    .contains("<include file=\"db/changelog/" + f.getFileName() + "\"/>");
        }
        int changesets = 0;
        List<ChangelogGuard.Refusal> refusals = new ArrayList<>();
        for (Path f : files) {
            ChangelogGuard.Result r = ChangelogGuard.check(f);
            changesets += r.changesets();
            refusals.addAll(r.refusals());
        }
        assertThat(changesets).as("changesets checked").isGreaterThanOrEqualTo(29);
        assertThat(refusals).as("changesets that cannot run again over their own effect").isEmpty();
    }

    @Test
    void theRuleRefusesWhatFailsOrDoublesTheSecondTime() throws Exception {
        assertRefused("CREATE TABLE t (id INT)", "IF NOT EXISTS");
        assertRefused("CREATE UNIQUE INDEX t_uq ON t (lower(name))", "IF NOT EXISTS");
        assertRefused("ALTER TABLE t ADD COLUMN c INT", "ADD COLUMN IF NOT EXISTS");
        assertRefused("ALTER TABLE t ADD COLUMN IF NOT EXISTS a INT, ADD COLUMN b INT", "ADD COLUMN IF NOT EXISTS");
        assertRefused("ALTER TABLE t ADD CONSTRAINT t_check CHECK (a > 0)", "DROP CONSTRAINT IF EXISTS t_check");
        assertRefused("ALTER TABLE t DROP CONSTRAINT IF EXISTS other, ADD CONSTRAINT t_check CHECK (a > 0)", "t_check");
        assertRefused("ALTER TABLE t ADD UNIQUE (a)", "name the constraint");
        assertRefused("ALTER TABLE t RENAME COLUMN a TO b", "RENAME");
        assertRefused("ALTER TABLE t DROP COLUMN a", "IF EXISTS");
        assertRefused("DROP INDEX t_idx", "IF EXISTS");
        assertRefused("CREATE TRIGGER t_changed AFTER UPDATE ON t FOR EACH ROW EXECUTE FUNCTION f()", "DROP TRIGGER IF EXISTS t_changed ON t");
        assertRefused("INSERT INTO environments (name) SELECT DISTINCT environment FROM servers", "ON CONFLICT");
        assertRefused("UPDATE servers SET port = port + 1", "idempotent");
        assertRefused("CREATE TYPE mood AS ENUM ('sad', 'ok')", "DO block");
        assertRefused("DO $$ BEGIN CREATE TABLE t (id INT); END $$", "inside the DO block");
        assertRefused("CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $f$ SELECT 1 $f$", "CREATE OR REPLACE");

        assertAccepted("CREATE TABLE IF NOT EXISTS t (id INT, c VARCHAR(8) CHECK (c IN ('a', 'b')))");
        assertAccepted("CREATE UNIQUE INDEX IF NOT EXISTS t_uq ON t (lower(name)) WHERE name IS NOT NULL");
        assertAccepted("ALTER TABLE t ADD COLUMN IF NOT EXISTS a INT, ADD COLUMN IF NOT EXISTS b VARCHAR(8) DEFAULT 'x, y'");
        assertAccepted("ALTER TABLE t DROP CONSTRAINT IF EXISTS t_check, ADD CONSTRAINT t_check CHECK (a IN (1, 2))");
        assertAccepted("ALTER TABLE t ALTER COLUMN status TYPE VARCHAR(20)");
        assertAccepted("DROP TRIGGER IF EXISTS t_changed ON t; CREATE TRIGGER t_changed AFTER UPDATE ON t FOR EACH ROW EXECUTE FUNCTION f()");
        assertAccepted("INSERT INTO environments (name) SELECT DISTINCT environment FROM servers ON CONFLICT DO NOTHING");
        assertAccepted("-- idempotent: sets a constant where it is still unset\nUPDATE servers SET command = './deploy.sh' WHERE command IS NULL");
        assertAccepted("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'mood') THEN CREATE TYPE mood AS ENUM ('sad'); END IF; END $$");
        assertAccepted("CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS $f$ SELECT 1; $f$");
    }

    @Test
    void aMarkRanPreconditionGuardsAWholeChangesetAndOtherChangeTypesAreRefused() throws Exception {
        assertThat(ChangelogGuard.checkChangeSet("x", changeSet(
                "<preConditions onFail=\"MARK_RAN\"><not><tableExists tableName=\"t\"/></not></preConditions>"
                        + "<sql>CREATE TABLE t (id INT)</sql>"))).isEmpty();
        assertThat(ChangelogGuard.checkChangeSet("x", changeSet(
                "<preConditions onFail=\"HALT\"><not><tableExists tableName=\"t\"/></not></preConditions>"
                        + "<sql>CREATE TABLE t (id INT)</sql>"))).hasSize(1);
        assertThat(ChangelogGuard.checkChangeSet("x", changeSet("<createTable tableName=\"t\"><column name=\"id\" type=\"int\"/></createTable>")))
                .singleElement().asString().contains("<createTable>").contains("MARK_RAN");
    }

    private static void assertRefused(String sql, String fixMentions) throws Exception {
        List<ChangelogGuard.Refusal> r = ChangelogGuard.checkChangeSet("test", changeSet("<sql><![CDATA[" + sql + "]]></sql>"));
        assertThat(r).as("refused: %s", sql).isNotEmpty();
        assertThat(r.get(0).toString()).as("the reason for %s", sql).contains(fixMentions).contains("two steps");
    }

    private static void assertAccepted(String sql) throws Exception {
        assertThat(ChangelogGuard.checkChangeSet("test", changeSet("<sql><![CDATA[" + sql + "]]></sql>"))).as("accepted: %s", sql).isEmpty();
    }

    private static Element changeSet(String inner) throws Exception {
        String xml = "<changeSet id=\"t\" author=\"test\">" + inner + "</changeSet>";
        return DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8))).getDocumentElement();
    }
}
