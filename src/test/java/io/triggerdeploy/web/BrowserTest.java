package io.triggerdeploy.web;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.triggerdeploy.common.Signatures;
import io.triggerdeploy.ssh.HostKeys;
import io.triggerdeploy.support.ApiTest;
import io.triggerdeploy.support.Deploys;
import io.triggerdeploy.support.Oathtool;
import io.triggerdeploy.support.TestSshServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * The pages in a real browser: Debian's headless Chromium driven through /usr/bin/chromedriver, against the
 * running application, a real PostgreSQL and the in-process SSH server running real scripts. Every page visited
 * is saved under target/screenshots/, and the browser console must stay free of errors.
 */
@QuarkusTest
@TestProfile(BrowserTest.Browser.class)
class BrowserTest extends ApiTest {

    static final Path DIR = Deploys.DIR;
    static final KeyPair CLIENT = Deploys.CLIENT;
    static final Path SHOTS = Path.of("target", "screenshots");
    static TestSshServer sshd;
    static WebDriver driver;
    static Path profileDir;

    @TestHTTPResource("/")
    URL base;
    String adminToken;

    /**
     * The deployment tests' settings in an application (and database) of its own: the pages show everything a user
     * may see (what waits for them, every server's figures), so other classes' data would change what they show.
     */
    public static class Browser extends Deploys.Profile {
    }

    @BeforeAll
    static void start() throws IOException {
        sshd = TestSshServer.start("deployer", CLIENT.getPublic()).allowForwardingToLoopback(); // also a jump host
        Files.createDirectories(SHOTS);
        profileDir = Files.createTempDirectory("chromium-profile");
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-extensions", "--user-data-dir=" + profileDir, "--window-size=1440,1000");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() throws IOException {
        if (driver != null) {
            driver.quit();
        }
        if (sshd != null) {
            sshd.close();
        }
    }

    @BeforeEach
    void fresh() {
        adminToken = adminToken();
        driver.manage().window().setSize(new Dimension(1440, 1000));
        driver.manage().deleteAllCookies();
    }

    @AfterEach
    void noConsoleErrors() {
        List<String> errors = new ArrayList<>();
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
            // the 401/403/404 pages a test asks for on purpose are logged by Chromium as failed resource loads
            if (e.getLevel().intValue() >= Level.SEVERE.intValue() && !e.getMessage().contains("status of 40")) {
                errors.add(e.getMessage());
            }
        }
        assertThat(errors).as("browser console errors").isEmpty();
    }

    // ---------------------------------------------------------------- helpers

    String url(String path) {
        return base.toString().replaceAll("/$", "") + path;
    }

    WebDriverWait waitUpTo(int seconds) {
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(seconds), Duration.ofMillis(100));
        // pages reload after an action: an element found just before the reload goes stale (Chromium sometimes
        // reports that as a plain WebDriverException, "Node … does not belong to the document"); try again
        wait.ignoring(StaleElementReferenceException.class).ignoring(org.openqa.selenium.WebDriverException.class);
        return wait;
    }

    WebElement visible(By by) {
        return waitUpTo(15).until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    void shot(String name) {
        try {
            File f = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
            Files.copy(f.toPath(), SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void browserLogin(String username, String password) {
        driver.get(url("/login"));
        fillLogin(username, password);
        waitUpTo(15).until(d -> !d.getCurrentUrl().contains("/login"));
    }

    void fillLogin(String username, String password) {
        WebElement user = visible(By.id("username"));
        user.clear();
        user.sendKeys(username);
        driver.findElement(By.id("password")).sendKeys(password);
        driver.findElement(By.cssSelector("form button[type=submit]")).click();
    }

    void confirm() {
        WebElement ok = visible(By.id("confirm-ok"));
        ok.click();
    }

    String text(By by) {
        return driver.findElement(by).getText();
    }

    /** Sets a date or time input as the browser's own picker would (typing into them depends on the locale). */
    void setValue(WebElement input, String value) {
        ((JavascriptExecutor) driver).executeScript("arguments[0].value = arguments[1];"
                + "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));"
                + "arguments[0].dispatchEvent(new Event('change', {bubbles: true}));", input, value);
    }

    /** A pinned server on the in-process SSH server whose deploy.sh is the given script. */
    String server(String name, String script) throws IOException {
        String alias = unique("web-");
        Path work = Files.createDirectories(DIR.resolve(alias));
        Files.writeString(work.resolve("deploy.sh"), "#!/bin/sh\n" + script + "\n");
        work.resolve("deploy.sh").toFile().setExecutable(true);
        given().auth().oauth2(adminToken).contentType(ContentType.JSON)
                .body(Map.of("name", name, "alias", alias, "host", "127.0.0.1", "port", sshd.port(), "user", "deployer",
                        "path", work.toString(), "host_key", sshd.hostKeyLine(), "environment", "staging"))
                .post("/api/servers").then().statusCode(201);
        return alias;
    }

    String operator() {
        String name = unique("op");
        createUser(adminToken, name, "operator-pass", "operator");
        return name;
    }

    // ---------------------------------------------------------------- tests

    @Test
    void wrongPasswordShowsTheErrorInTheForm() {
        driver.get(url("/login"));
        shot("login");
        fillLogin(ADMIN, "not-the-password");
        WebElement error = visible(By.id("login-error"));
        assertThat(error.getText()).contains("Invalid username or password");
        assertThat(driver.getCurrentUrl()).contains("/login");
        // the username stays filled in, the password does not
        assertThat(driver.findElement(By.id("username")).getAttribute("value")).isEqualTo(ADMIN);
        assertThat(driver.findElement(By.id("password")).getAttribute("value")).isEmpty();
        shot("login-error");
    }

    @Test
    void loginTriggerFromTheDashboardAndWatchTheLogLive() throws IOException {
        String alias = server("Shop frontend", "for i in 1 2 3 4 5 6; do echo \"step $i of 6\"; sleep 0.5; done; echo done >&2");
        String op = operator();

        // the page asked for comes back after the login
        driver.get(url("/deployments"));
        waitUpTo(10).until(ExpectedConditions.urlContains("/login"));
        fillLogin(op, "operator-pass");
        waitUpTo(10).until(ExpectedConditions.urlMatches(".*/deployments$"));

        driver.get(url("/"));
        WebElement card = visible(By.cssSelector("[data-server='" + alias + "']"));
        assertThat(card.getText()).contains("Shop frontend").contains("STAGING").contains("Never deployed");
        shot("dashboard");
        card.findElement(By.cssSelector("button.deploy-button")).click();
        // the dialog's title is its question, and Enter does not deploy: the focus is on a field or on Cancel
        assertThat(visible(By.id("confirm-title")).getText()).isEqualTo("Deploy Shop frontend now?");
        assertThat(text(By.id("confirm-text"))).contains("runs over SSH");
        assertThat(driver.switchTo().activeElement().getAttribute("id")).isNotEqualTo("confirm-ok");
        shot("dashboard-confirm");
        confirm();

        waitUpTo(15).until(ExpectedConditions.urlMatches(".*/deployments/\\d+$"));
        String id = driver.getCurrentUrl().replaceAll(".*/", "");
        // lines arrive while the deployment is still running
        waitUpTo(20).until(d -> text(By.id("log")).contains("step 1 of 6"));
        assertThat(text(By.id("status"))).isEqualTo("Running");
        assertThat(text(By.id("log"))).doesNotContain("step 6 of 6");
        String durationWhileRunning = text(By.id("duration"));
        shot("deployment-running");
        waitUpTo(30).until(d -> text(By.id("status")).equals("Succeeded"));
        assertThat(text(By.id("log"))).contains("step 6 of 6").contains("done");
        assertThat(text(By.id("exit-code"))).isEqualTo("0");
        assertThat(text(By.id("duration"))).isNotEqualTo(durationWhileRunning).matches("\\d+(\\.\\d)? s");
        assertThat(driver.findElement(By.id("cancel")).isDisplayed()).isFalse();
        shot("deployment-succeeded");

        // the finished deployment's page, opened later from the history, shows the whole log
        driver.get(url("/deployments?server=" + alias));
        WebElement row = visible(By.linkText("#" + id));
        assertThat(driver.findElement(By.cssSelector("table.deployments")).getText()).contains("Succeeded").contains(op);
        shot("history");
        row.click();
        waitUpTo(10).until(d -> text(By.id("status")).equals("Succeeded") && text(By.id("log")).contains("step 6 of 6"));
        assertThat(text(By.id("log-state"))).contains("lines");

        // and the dashboard shows it as the server's last deployment, without a reload
        driver.get(url("/"));
        waitUpTo(10).until(d -> d.findElement(By.cssSelector("[data-server='" + alias + "']")).getText().contains("Succeeded"));
    }

    @Test
    void theLogStopsFollowingWhenTheUserScrollsUpAndHistoryPages() throws Exception {
        String alias = server("Chatty", "i=1; while [ $i -le 300 ]; do echo \"line $i\"; i=$((i+1)); sleep 0.02; done");
        browserLogin(operator(), "operator-pass");
        driver.get(url("/"));
        visible(By.cssSelector("[data-server='" + alias + "'] button.deploy-button")).click();
        confirm();
        waitUpTo(15).until(ExpectedConditions.urlMatches(".*/deployments/\\d+$"));
        waitUpTo(20).until(d -> text(By.id("log")).contains("line 60"));
        JavascriptExecutor js = (JavascriptExecutor) driver;
        // following: the newest line is in view
        Number gap = (Number) js.executeScript("const l = document.getElementById('log'); return l.scrollHeight - l.scrollTop - l.clientHeight;");
        assertThat(gap.intValue()).isLessThan(60);
        js.executeScript("const l = document.getElementById('log'); l.scrollTop = 0; l.dispatchEvent(new Event('scroll'));");
        WebElement jump = visible(By.id("follow"));
        String before = text(By.id("log"));
        waitUpTo(20).until(d -> text(By.id("log")).length() > before.length() + 200);
        assertThat(((Number) js.executeScript("return document.getElementById('log').scrollTop;")).intValue())
                .as("stays where the user scrolled while lines arrive").isLessThan(5);
        shot("deployment-scrolled-up");
        jump.click();
        waitUpTo(5).until(d -> ((Number) js.executeScript(
                "const l = document.getElementById('log'); return l.scrollHeight - l.scrollTop - l.clientHeight;")).intValue() < 60);
        waitUpTo(30).until(d -> text(By.id("status")).equals("Succeeded"));
        assertThat(text(By.id("log"))).contains("line 300");

        // history: 30 more rows of this server, 25 per page, the second page holds the rest
        update("INSERT INTO deployments (server_id, server_alias, status, requested_by, source, queued_at, started_at, finished_at, duration_ms, exit_code) "
                + "SELECT id, alias, 'SUCCEEDED', 'history-bot', 'api', now() - g * interval '1 hour', now() - g * interval '1 hour', "
                + "now() - g * interval '1 hour' + interval '2 seconds', 2000, 0 FROM servers, generate_series(1, 30) g WHERE alias = '" + alias + "'");
        driver.get(url("/deployments?server=" + alias));
        assertThat(driver.findElements(By.cssSelector("table.deployments tbody tr"))).hasSize(25);
        visible(By.cssSelector("a[rel='next']")).click();
        waitUpTo(10).until(ExpectedConditions.urlContains("cursor="));
        assertThat(driver.findElements(By.cssSelector("table.deployments tbody tr"))).hasSize(6);
        assertThat(driver.getCurrentUrl()).contains("server=" + alias);
        assertThat(driver.findElements(By.cssSelector("a[rel='next']"))).isEmpty();
    }

    @Test
    void cancelALongDeployment() throws IOException {
        String alias = server("Batch worker", "echo started; sleep 60; echo never");
        browserLogin(operator(), "operator-pass");
        driver.get(url("/"));
        visible(By.cssSelector("[data-server='" + alias + "'] button.deploy-button")).click();
        confirm();
        waitUpTo(15).until(ExpectedConditions.urlMatches(".*/deployments/\\d+$"));
        waitUpTo(20).until(d -> text(By.id("log")).contains("started"));
        // the duration ticks while it runs
        String d1 = text(By.id("duration"));
        waitUpTo(5).until(d -> !text(By.id("duration")).equals(d1));
        visible(By.id("cancel")).click();
        // a destructive question defaults to Cancel
        assertThat(visible(By.id("confirm-title")).getText()).startsWith("Cancel deployment #");
        assertThat(driver.switchTo().activeElement().getAttribute("id")).isEqualTo("confirm-cancel");
        confirm();
        waitUpTo(20).until(d -> text(By.id("status")).equals("Cancelled"));
        assertThat(text(By.id("log"))).doesNotContain("never");
        assertThat(driver.findElement(By.id("cancel")).isDisplayed()).isFalse();
        shot("deployment-cancelled");
    }

    /** Release insight: the four keys with their bands and definitions, and a trend per week drawn without a library. */
    @Test
    void theInsightPageShowsTheFourKeysWithTheirBandsAndAWeeklyTrend() throws IOException {
        String alias = server("Insight", "echo \"insight $REF\"");
        long id = given().auth().oauth2(adminToken).contentType(ContentType.JSON)
                .body(Map.of("server", alias, "parameters", Map.of("REF", "v5.0.0"))).post("/api/deployments")
                .then().statusCode(202).extract().<Number>path("id").longValue();
        await().atMost(Duration.ofSeconds(30)).until(() -> "SUCCEEDED".equals(given().auth().oauth2(adminToken)
                .get("/api/deployments/" + id).then().extract().path("status")));
        browserLogin(ADMIN, ADMIN_PASSWORD);
        driver.get(url("/insight?environment=staging"));
        waitUpTo(15).until(d -> "true".equals(d.findElement(By.id("insight-charts")).getAttribute("data-drawn")));
        assertThat(text(By.id("key-frequency"))).containsPattern("[1-9]\\d* successful deployments?").contains("a day");
        assertThat(visible(By.cssSelector("#key-frequency .band")).getText()).isIn("ELITE", "HIGH", "MEDIUM", "LOW");
        assertThat(text(By.id("key-lead"))).containsPattern("median of [1-9]\\d* changes?;");
        assertThat(text(By.id("key-failures"))).containsPattern("\\d+ of [1-9]\\d* deployments?");
        assertThat(driver.findElements(By.cssSelector("#chart-weekly-deployments svg rect"))).isNotEmpty();
        assertThat(driver.findElements(By.cssSelector("#chart-weekly-lead svg circle"))).isNotEmpty();
        assertThat(text(By.cssSelector(".definitions"))).contains("Accelerate State of DevOps Report 2023").contains("24 h");
        assertThat(new Select(driver.findElement(By.id("insight-env"))).getFirstSelectedOption().getText()).isEqualTo("staging");
        shot("insight");
        new Select(driver.findElement(By.id("insight-days"))).selectByValue("90");
        waitUpTo(10).until(d -> d.getCurrentUrl().contains("days=90"));
        waitUpTo(15).until(d -> "true".equals(d.findElement(By.id("insight-charts")).getAttribute("data-drawn")));
        assertThat(driver.findElements(By.cssSelector("#chart-weekly-deployments svg text")).size()).isGreaterThan(5);
        // the release matrix: what runs where, per environment
        visible(By.linkText("Release matrix: what runs where")).click();
        waitUpTo(10).until(d -> d.getCurrentUrl().endsWith("/releases"));
        assertThat(text(By.cssSelector("tr[data-environment='staging']"))).contains(alias).contains("v5.0.0");
        shot("releases");
    }

    /** The rollback dialog says from which version to which before anything runs, and offers the earlier successes. */
    @Test
    void theRollbackDialogNamesBothVersionsAndOffersEarlierOnes() throws IOException {
        String alias = server("Catalogue", "echo \"catalogue $REF\"");
        long[] ids = new long[3];
        for (int k = 0; k < 3; k++) {
            long id = given().auth().oauth2(adminToken).contentType(ContentType.JSON)
                    .body(Map.of("server", alias, "parameters", Map.of("REF", "v1." + k))).post("/api/deployments")
                    .then().statusCode(202).extract().<Number>path("id").longValue();
            await().atMost(Duration.ofSeconds(30)).until(() -> "SUCCEEDED".equals(given().auth().oauth2(adminToken)
                    .get("/api/deployments/" + id).then().extract().path("status")));
            ids[k] = id;
        }
        browserLogin(operator(), "operator-pass");
        driver.get(url("/deployments/" + ids[2]));
        visible(By.id("rollback")).click();
        assertThat(visible(By.id("confirm-title")).getText())
                .isEqualTo("Roll back " + alias + " from v1.2 (#" + ids[2] + ") to v1.1 (#" + ids[1] + ")?");
        Select to = new Select(driver.findElement(By.id("rollback-to")));
        assertThat(to.getOptions()).hasSize(2);
        to.selectByValue(String.valueOf(ids[0]));
        assertThat(text(By.id("confirm-title"))).isEqualTo("Roll back " + alias + " from v1.2 (#" + ids[2] + ") to v1.0 (#" + ids[0] + ")?");
        shot("rollback-dialog");
        confirm();
        waitUpTo(15).until(d -> d.getCurrentUrl().matches(".*/deployments/\\d+$") && !d.getCurrentUrl().endsWith("/" + ids[2]));
        waitUpTo(30).until(d -> text(By.id("status")).equals("Succeeded"));
        assertThat(text(By.id("ref"))).isEqualTo("v1.0");
        assertThat(text(By.id("log"))).contains("catalogue v1.0");

        // Deploy… opens the deploy dialog filled from this deployment, version included; Re-run is the same again
        String rolledBack = driver.getCurrentUrl();
        visible(By.id("deploy-from")).click();
        assertThat(visible(By.id("confirm-title")).getText()).isEqualTo("Deploy v1.0 to Catalogue?");
        WebElement version = driver.findElement(By.cssSelector("#confirm-fields input[name='REF']"));
        assertThat(version.getAttribute("value")).isEqualTo("v1.0");
        version.clear();
        version.sendKeys("v1.3");
        confirm();
        waitUpTo(15).until(d -> !d.getCurrentUrl().equals(rolledBack) && d.getCurrentUrl().matches(".*/deployments/\\d+$"));
        waitUpTo(30).until(d -> text(By.id("status")).equals("Succeeded"));
        assertThat(text(By.id("ref"))).isEqualTo("v1.3");
    }

    @Test
    void aViewerSeesNoDeployButtonAndNoAdminPages() throws IOException {
        String alias = server("Read only", "echo hi");
        String viewer = unique("vi");
        createUser(adminToken, viewer, "viewer-pass-1", "viewer");
        browserLogin(viewer, "viewer-pass-1");
        driver.get(url("/"));
        WebElement card = visible(By.cssSelector("[data-server='" + alias + "']"));
        assertThat(card.findElements(By.cssSelector("button.deploy-button"))).isEmpty();
        assertThat(driver.findElements(By.cssSelector("nav a[href='/servers']"))).isEmpty();
        assertThat(driver.findElements(By.cssSelector("nav a[href='/users']"))).isEmpty();
        shot("dashboard-viewer");

        driver.get(url("/servers"));
        assertThat(text(By.cssSelector(".error-page"))).contains("403").contains("Forbidden").contains("admin role");
        shot("forbidden");
        driver.get(url("/deployments/987654321"));
        assertThat(text(By.cssSelector(".error-page"))).contains("404").contains("No deployment 987654321");
        shot("not-found");
        given().auth().oauth2(ApiTest.login(viewer, "viewer-pass-1")).get("/users").then().statusCode(403);
    }

    @Test
    void anAdminCreatesAUserWhoThenLogsIn() {
        browserLogin(ADMIN, ADMIN_PASSWORD);
        driver.get(url("/users"));
        visible(By.cssSelector("button[data-open='user-dialog']")).click();
        String name = unique("newbie");
        visible(By.id("u-username")).sendKeys(name);
        driver.findElement(By.id("u-email")).sendKeys(name + "@example.com");
        // too short a password: the error is shown in the dialog and nothing is created
        driver.findElement(By.id("u-password")).sendKeys("short");
        driver.findElement(By.cssSelector("#user-dialog button[type=submit]")).click();
        WebElement error = visible(By.cssSelector("#user-dialog .form-error"));
        assertThat(error.getText()).isNotBlank();
        assertThat(visible(By.cssSelector("#user-dialog .field-error")).getText()).isNotBlank();
        shot("users-create-error");
        driver.findElement(By.id("u-password")).clear();
        driver.findElement(By.id("u-password")).sendKeys("a-long-enough-password");
        new Select(driver.findElement(By.id("u-role"))).selectByValue("operator");
        driver.findElement(By.cssSelector("#user-dialog button[type=submit]")).click();
        WebElement row = visible(By.cssSelector("tr[data-user-row='" + name + "']"));
        assertThat(row.getText()).contains(name + "@example.com").contains("operator").contains("active");
        shot("users");
        // edit: the dialog is filled from the API; demote to viewer
        row.findElement(By.cssSelector("button[data-open='edit-user-dialog']")).click();
        waitUpTo(10).until(d -> "operator".equals(d.findElement(By.id("e-role")).getAttribute("value")));
        new Select(driver.findElement(By.id("e-role"))).selectByValue("viewer");
        driver.findElement(By.cssSelector("#edit-user-dialog button[type=submit]")).click();
        waitUpTo(10).until(d -> d.findElement(By.cssSelector("tr[data-user-row='" + name + "']")).getText().contains("viewer"));
        // reset the password: the old one stops working
        driver.findElement(By.cssSelector("tr[data-user-row='" + name + "'] button[data-open='reset-dialog']")).click();
        visible(By.id("r-password")).sendKeys("a-reset-long-password");
        driver.findElement(By.cssSelector("#reset-dialog button[type=submit]")).click();
        waitUpTo(10).until(d -> d.findElement(By.id("toast")).getText().contains("Password reset"));

        // log out; the old session is dead
        driver.findElement(By.cssSelector("form.logout button")).click();
        waitUpTo(10).until(ExpectedConditions.urlContains("/login"));
        driver.get(url("/users"));
        waitUpTo(10).until(ExpectedConditions.urlContains("/login"));

        given().contentType(ContentType.JSON).body(Map.of("username", name, "password", "a-long-enough-password"))
                .post("/api/login").then().statusCode(401);
        browserLogin(name, "a-reset-long-password");
        assertThat(visible(By.cssSelector("nav .who")).getText()).contains(name).contains("viewer");
        assertThat(driver.findElements(By.cssSelector("nav a[href='/users']"))).isEmpty();
    }

    @Test
    void adminAddsAServerScansAndPinsItsHostKey() {
        browserLogin(ADMIN, ADMIN_PASSWORD);
        driver.get(url("/servers"));
        visible(By.cssSelector("button[data-open='server-dialog']")).click();
        String alias = unique("db-");
        visible(By.id("s-name")).sendKeys("Database " + alias);
        driver.findElement(By.id("s-alias")).sendKeys(alias);
        driver.findElement(By.id("s-host")).sendKeys("127.0.0.1");
        WebElement port = driver.findElement(By.id("s-port"));
        port.clear();
        port.sendKeys(String.valueOf(sshd.port()));
        driver.findElement(By.id("s-user")).sendKeys("deployer");
        driver.findElement(By.id("s-path")).sendKeys("/srv/db; rm -rf /");
        driver.findElement(By.id("s-command")).sendKeys("./deploy.sh && reboot");
        driver.findElement(By.cssSelector("#server-dialog button[type=submit]")).click();
        // a command that is not a plain program + arguments is refused, and says which field
        WebElement error = visible(By.cssSelector("#server-dialog .form-error"));
        assertThat(error.getText()).containsIgnoringCase("command");
        shot("servers-create-error");
        WebElement command = driver.findElement(By.id("s-command"));
        command.clear();
        command.sendKeys("./deploy.sh");
        WebElement path = driver.findElement(By.id("s-path"));
        path.clear();
        path.sendKeys("/srv/db");
        driver.findElement(By.cssSelector("#server-dialog button[type=submit]")).click();

        WebElement row = visible(By.cssSelector("tr[data-server-row='" + alias + "']"));
        assertThat(row.getText()).contains("not pinned");
        row.findElement(By.cssSelector("button[data-action='scan']")).click();
        String expected = HostKeys.parse(sshd.hostKeyLine()).fingerprint();
        waitUpTo(15).until(d -> text(By.id("scan-fingerprint")).equals(expected));
        assertThat(text(By.id("scan-state"))).contains("No key is pinned");
        // Enter must not trust a key: the focus is on Close
        assertThat(driver.switchTo().activeElement().getText()).isEqualTo("Close");
        shot("servers-scan");
        visible(By.id("scan-pin")).click();
        waitUpTo(15).until(d -> d.findElement(By.cssSelector("tr[data-server-row='" + alias + "']")).getText().contains(expected));

        // the client key to install is on the page; Test connection walks the whole path and says it works
        driver.findElement(By.cssSelector("details.ssh-keys summary")).click();
        assertThat(visible(By.cssSelector("details.ssh-keys .copy-row code")).getText()).startsWith("ecdsa-sha2-").endsWith(" trigger-deploy");
        driver.findElement(By.cssSelector("tr[data-server-row='" + alias + "'] button[data-action='test-connection']")).click();
        waitUpTo(20).until(d -> d.findElement(By.id("toast")).getText().contains("works"));
        assertThat(text(By.id("toast"))).contains("connect, host_key, login, command passed");
        shot("servers-test-connection");

        // edit: the dialog is filled with the current values
        driver.findElement(By.cssSelector("tr[data-server-row='" + alias + "'] button[data-mode='edit']")).click();
        waitUpTo(10).until(d -> d.findElement(By.id("s-alias")).getAttribute("value").equals(alias));
        WebElement env = driver.findElement(By.id("s-env"));
        env.clear();
        env.sendKeys("production");
        driver.findElement(By.cssSelector("#server-dialog button[type=submit]")).click();
        waitUpTo(10).until(d -> d.findElement(By.cssSelector("tr[data-server-row='" + alias + "']")).getText().contains("production"));

        // deactivate with confirmation
        driver.findElement(By.cssSelector("tr[data-server-row='" + alias + "'] button[data-value='false']")).click();
        confirm();
        waitUpTo(10).until(d -> d.findElement(By.cssSelector("tr[data-server-row='" + alias + "']")).getText().contains("inactive"));
        shot("servers");

        // import of the old servers.json, pasted: one imported, a duplicate alias skipped with its reason
        String legacy = unique("legacy-");
        visible(By.cssSelector("button[data-open='import-dialog']")).click();
        visible(By.id("import-text")).sendKeys("[{\"name\":\"" + legacy + "\",\"alias\":\"" + legacy + "\",\"ip\":\"127.0.0.7\","
                + "\"user\":\"deploy\",\"path\":\"/srv/app\",\"type\":\"staging\"},"
                + "{\"name\":\"again\",\"alias\":\"" + alias + "\",\"ip\":\"127.0.0.8\",\"user\":\"deploy\",\"path\":\"/srv\"}]");
        driver.findElement(By.cssSelector("#import-dialog button[type=submit]")).click();
        waitUpTo(10).until(d -> d.findElement(By.id("import-result")).getText().contains("Imported 1: " + legacy));
        assertThat(text(By.id("import-result"))).contains("Skipped #1");
        waitUpTo(15).until(d -> !d.findElements(By.cssSelector("tr[data-server-row='" + legacy + "']")).isEmpty());
    }

    @Test
    void labelsFromTheServerFormAndAGroupOfServersInOrder() throws IOException {
        String first = server("Web one", "echo ok");
        String second = server("Web two", "echo ok");
        long live = given().auth().oauth2(adminToken).contentType(ContentType.JSON)
                .body(Map.of("server", first, "parameters", Map.of("REF", "v1.4.2"))).post("/api/deployments")
                .then().statusCode(202).extract().<Number>path("id").longValue();
        waitUpTo(30).until(d -> "SUCCEEDED".equals(given().auth().oauth2(adminToken).get("/api/deployments/" + live)
                .then().extract().path("status")));
        browserLogin(ADMIN, ADMIN_PASSWORD);
        driver.get(url("/servers"));
        // what runs where: the live release on the first, nothing yet on the second
        assertThat(visible(By.cssSelector("[data-version-of='" + first + "']")).getText()).contains("v1.4.2").contains("live since");
        assertThat(text(By.cssSelector("[data-version-of='" + second + "']"))).contains("nothing live yet");
        // labels: key=value lines in the server's form, shown on its row, and back in the form when edited again
        visible(By.cssSelector("tr[data-server-row='" + first + "'] button[data-mode='edit']")).click();
        waitUpTo(10).until(d -> d.findElement(By.id("s-alias")).getAttribute("value").equals(first));
        WebElement labels = driver.findElement(By.id("s-labels"));
        labels.sendKeys("role=web\nregion=eu west");
        driver.findElement(By.cssSelector("#server-dialog button[type=submit]")).click();
        assertThat(visible(By.cssSelector("#server-dialog .form-error")).getText()).contains("labels.region");
        labels.clear();
        labels.sendKeys("role=web\nregion=eu-west");
        driver.findElement(By.cssSelector("#server-dialog button[type=submit]")).click();
        waitUpTo(10).until(d -> d.findElement(By.cssSelector("tr[data-server-row='" + first + "']")).getText()
                .contains("region=eu-west"));
        driver.findElement(By.cssSelector("tr[data-server-row='" + first + "'] button[data-mode='edit']")).click();
        waitUpTo(10).until(d -> d.findElement(By.id("s-labels")).getAttribute("value").equals("region=eu-west\nrole=web"));
        driver.findElement(By.cssSelector("#server-dialog button[data-close]")).click();

        // a group: the servers one per line, kept in that order
        String group = unique("web-tier-");
        visible(By.cssSelector("button[data-open='group-dialog']")).click();
        visible(By.id("g-name")).sendKeys(group);
        driver.findElement(By.id("g-servers")).sendKeys(second + "\n" + first + "\nno-such-server");
        driver.findElement(By.cssSelector("#group-dialog button[type=submit]")).click();
        assertThat(visible(By.cssSelector("#group-dialog .form-error")).getText()).contains("no-such-server");
        WebElement servers = driver.findElement(By.id("g-servers"));
        servers.clear();
        servers.sendKeys(second + "\n" + first);
        driver.findElement(By.cssSelector("#group-dialog button[type=submit]")).click();
        WebElement row = visible(By.cssSelector("tr[data-group-row='" + group + "']"));
        assertThat(row.getText()).containsSubsequence(second, first);
        assertThat(text(By.cssSelector("[data-fleet-of='" + group + "']"))).isEqualTo("mixed: 1 × v1.4.2, 1 not deployed");
        shot("servers-labels-groups");

        // edited: the dialog holds the servers in order; a server dropped from the list leaves the group
        row.findElement(By.cssSelector("button[data-mode='edit']")).click();
        waitUpTo(10).until(d -> d.findElement(By.id("g-servers")).getAttribute("value").equals(second + "\n" + first));
        servers = driver.findElement(By.id("g-servers"));
        servers.clear();
        servers.sendKeys(first);
        driver.findElement(By.cssSelector("#group-dialog button[type=submit]")).click();
        waitUpTo(10).until(d -> !d.findElement(By.cssSelector("tr[data-group-row='" + group + "']")).getText().contains(second));
        given().auth().oauth2(adminToken).get("/api/groups/" + group).then().statusCode(200)
                .body("servers", equalTo(List.of(first)));
    }

    @Test
    void aRolloutPlannedAndStartedFromTheDialogWhoseGridFollowsItThroughAPauseAndResume() throws IOException {
        String first = server("Roll one", "echo \"deploying $REF\"");
        String second = server("Roll two", "echo \"waiting for go\"; for i in $(seq 1 300); do [ -f go ] && break; sleep 0.1; done; "
                + "echo \"deploying $REF\"");
        String third = server("Roll three", "echo \"deploying $REF\"");
        String group = unique("fleet-");
        given().auth().oauth2(adminToken).contentType(ContentType.JSON).body(Map.of("name", group, "servers", List.of(first, second, third)))
                .post("/api/groups").then().statusCode(201);
        browserLogin(ADMIN, ADMIN_PASSWORD);
        driver.get(url("/rollouts"));
        visible(By.cssSelector("button[data-open='rollout-dialog']")).click();
        new Select(visible(By.id("r-group"))).selectByValue(group);
        driver.findElement(By.id("r-ref")).sendKeys("v3.1.0");
        driver.findElement(By.id("r-batch")).sendKeys("150%");
        driver.findElement(By.id("rollout-plan-button")).click();
        assertThat(visible(By.cssSelector("#rollout-dialog .form-error")).getText()).contains("batch").contains("100%");
        WebElement batch = driver.findElement(By.id("r-batch"));
        batch.clear();
        batch.sendKeys("1");
        driver.findElement(By.id("rollout-plan-button")).click();
        // the plan before the start: the servers in their waves
        assertThat(visible(By.cssSelector("#rollout-plan .plan-summary")).getText()).startsWith("3 servers in 3 waves, rolling");
        assertThat(text(By.cssSelector("#rollout-plan ol"))).containsSubsequence(first, second, third);
        shot("rollout-plan");
        waitUpTo(5).until(ExpectedConditions.elementToBeClickable(By.id("rollout-start"))).click();
        waitUpTo(15).until(d -> d.getCurrentUrl().matches(".*/rollouts/\\d+$"));
        String rolloutId = driver.getCurrentUrl().replaceAll(".*/rollouts/", "");

        // the grid follows: the first host done, the second running; pausing leaves the third waiting
        waitUpTo(30).until(d -> d.findElement(By.cssSelector("tr[data-host='" + second + "']")).getText().contains("Running"));
        assertThat(text(By.cssSelector("tr[data-host='" + first + "']"))).contains("Succeeded");
        // a running host's tab follows its output line by line (its deployment's event stream)
        By secondTab = By.xpath("//div[@id='rollout-log-tabs']/button[normalize-space()='" + second + "']");
        visible(secondTab).click();
        waitUpTo(10).until(d -> d.findElement(By.id("rollout-log")).getText().contains("out | waiting for go"));
        assertThat(driver.findElement(By.id("rollout-log")).getAttribute("data-live")).isEqualTo("true");
        assertThat(text(By.id("rollout-log"))).doesNotContain(first);
        shot("rollout-host-live");
        visible(By.cssSelector("button[data-rollout-action='pause']")).click();
        waitUpTo(10).until(d -> d.findElement(By.id("rollout-status")).getText().equals("Paused"));
        assertThat(text(By.id("rollout-reason"))).contains("paused by " + ADMIN);
        Files.writeString(DIR.resolve(second).resolve("go"), "");
        waitUpTo(30).until(d -> d.findElement(By.id("rollout-log")).getText().contains("out | deploying v3.1.0"));
        waitUpTo(30).until(d -> d.findElement(By.cssSelector("tr[data-host='" + second + "']")).getText().contains("Succeeded"));
        assertThat(text(By.id("rollout-log"))).containsOnlyOnce("waiting for go");
        visible(By.xpath("//div[@id='rollout-log-tabs']/button[normalize-space()='All hosts']")).click();
        // while the rollout goes on, the merged output is live too (the rollout's log stream), each line with its server
        waitUpTo(10).until(d -> "true".equals(d.findElement(By.id("rollout-log")).getAttribute("data-live"))
                && d.findElement(By.id("rollout-log")).getText().contains(second + " | out | deploying v3.1.0"));
        assertThat(text(By.cssSelector("tr[data-host='" + third + "']"))).contains("Pending");
        shot("rollout-paused");
        visible(By.cssSelector("button[data-rollout-action='resume']")).click();
        waitUpTo(30).until(d -> d.findElement(By.id("rollout-status")).getText().equals("Succeeded"));
        assertThat(driver.findElements(By.cssSelector("#rollout-hosts tbody tr"))).hasSize(3)
                .allSatisfy(tr -> assertThat(tr.getText()).contains("Succeeded"));
        assertThat(driver.findElement(By.cssSelector("button[data-rollout-action='pause']")).isDisplayed()).isFalse();
        // the output of all hosts, each line with its server; one tab per host shows that host's alone
        waitUpTo(10).until(d -> d.findElement(By.id("rollout-log")).getText().contains(third + " | out | deploying v3.1.0"));
        assertThat(text(By.id("rollout-log"))).containsOnlyOnce(first + " | out | deploying v3.1.0")
                .containsOnlyOnce(second + " | out | deploying v3.1.0").containsOnlyOnce(third + " | out | deploying v3.1.0");
        shot("rollout-succeeded");
        visible(By.xpath("//div[@id='rollout-log-tabs']/button[normalize-space()='" + second + "']")).click();
        waitUpTo(10).until(d -> !d.findElement(By.id("rollout-log")).getText().contains(first));
        assertThat(text(By.id("rollout-log"))).contains("out | deploying v3.1.0");
        assertThat(driver.findElement(By.xpath("//div[@id='rollout-log-tabs']/button[normalize-space()='" + second + "']"))
                .getAttribute("aria-selected")).isEqualTo("true");
        shot("rollout-host-tab");
        driver.get(url("/rollouts"));
        assertThat(visible(By.cssSelector("table.rollouts")).getText()).contains("Succeeded").contains(group).contains("v3.1.0");
        // the history marks each host's deployment with its rollout and wave, and the deployment page links back
        driver.get(url("/deployments"));
        assertThat(visible(By.cssSelector("table.deployments")).getText()).contains("rollout #" + rolloutId + ", wave 3");
        driver.findElement(By.linkText("rollout #" + rolloutId + ", wave 1")).click();
        waitUpTo(10).until(d -> d.getCurrentUrl().endsWith("/rollouts/" + rolloutId));
    }

    @Test
    void parametersStepsAndAJumpHostFromTheServerFormThenADeployWithValues() throws IOException {
        String alias = server("Checkout", "echo \"deploying $REF to $TARGET with key=$DEPLOY_KEY\"");
        Files.writeString(DIR.resolve(alias).resolve("verify.sh"), "echo \"verified $TARGET\"\n");
        String bastion = unique("bastion-");
        given().auth().oauth2(adminToken).contentType(ContentType.JSON).body(Map.of("name", "Bastion " + bastion,
                        "alias", bastion, "host", "127.0.0.1", "port", sshd.port(), "user", "deployer", "path", "/tmp",
                        "host_key", sshd.hostKeyLine()))
                .post("/api/servers").then().statusCode(201);
        browserLogin(ADMIN, ADMIN_PASSWORD);
        driver.get(url("/servers"));
        visible(By.cssSelector("tr[data-server-row='" + alias + "'] button[data-mode='edit']")).click();
        waitUpTo(10).until(d -> d.findElement(By.id("s-alias")).getAttribute("value").equals(alias));
        driver.findElement(By.cssSelector("#s-run > summary")).click();
        // a parameter is a row of fields, not JSON: the fields a choice does not use stay hidden
        visible(By.cssSelector("#s-params [data-add-row]")).click();
        WebElement param = visible(By.cssSelector("#s-params .rows-list > .row"));
        param.findElement(By.cssSelector("[data-key='name']")).sendKeys("TARGET");
        param.findElement(By.cssSelector("[data-key='label']")).sendKeys("Colour");
        new Select(param.findElement(By.cssSelector("[data-key='type']"))).selectByValue("choice");
        param.findElement(By.cssSelector("[data-key='required']")).click();
        assertThat(param.findElement(By.cssSelector("[data-key='pattern']")).isDisplayed()).isFalse();
        assertThat(param.findElement(By.cssSelector("[data-key='min']")).isDisplayed()).isFalse();
        driver.findElement(By.id("s-secrets")).sendKeys("DEPLOY_KEY=browser-secret-value-5");
        driver.findElement(By.cssSelector("#server-dialog button[type=submit]")).click();
        // the API's refusal is shown at the row's field it names; nothing is saved
        WebElement choices = param.findElement(By.cssSelector("[data-key='choices']"));
        waitUpTo(10).until(d -> "true".equals(choices.getAttribute("aria-invalid")));
        assertThat(param.findElement(By.cssSelector(".field-error")).getText()).contains("needs 1-100 choices");
        shot("server-parameter-row-error");
        choices.sendKeys("blue, green");
        driver.findElement(By.id("s-precheck")).sendKeys("true; rm -rf /");
        driver.findElement(By.id("s-verify")).sendKeys("sh verify.sh");
        new Select(driver.findElement(By.id("s-onfail"))).selectByValue("rollback");
        // the server itself is not offered as its own jump host
        assertThat(driver.findElement(By.cssSelector("#s-jump option[value='" + alias + "']")).isEnabled()).isFalse();
        new Select(driver.findElement(By.id("s-jump"))).selectByValue(bastion);
        driver.findElement(By.cssSelector("#server-dialog button[type=submit]")).click();
        // a precheck with shell syntax is refused, naming the step; nothing is saved
        assertThat(visible(By.cssSelector("#server-dialog .form-error")).getText()).contains("steps.precheck[0]");
        WebElement precheck = driver.findElement(By.id("s-precheck"));
        precheck.clear();
        precheck.sendKeys("true");
        shot("server-steps-form");
        driver.findElement(By.cssSelector("#server-dialog button[type=submit]")).click();
        waitUpTo(10).until(d -> d.findElement(By.cssSelector("tr[data-server-row='" + alias + "']")).getText()
                .contains("via " + bastion));
        assertThat(text(By.cssSelector("tr[data-server-row='" + alias + "']"))).contains("steps: precheck (1 command), verify (1 command), rollback on failure");
        shot("servers-with-steps");
        given().auth().oauth2(adminToken).get("/api/servers/" + alias).then().statusCode(200)
                .body("parameters[0].name", org.hamcrest.Matchers.equalTo("TARGET"))
                .body("steps.precheck", org.hamcrest.Matchers.equalTo(List.of("true")))
                .body("steps.on_failure.action", org.hamcrest.Matchers.equalTo("rollback"))
                .body("jump_host", org.hamcrest.Matchers.equalTo(bastion))
                .body("secret_names", org.hamcrest.Matchers.equalTo(List.of("DEPLOY_KEY")));
        // editing again: the secret's name is shown, its value never
        driver.findElement(By.cssSelector("tr[data-server-row='" + alias + "'] button[data-mode='edit']")).click();
        waitUpTo(10).until(d -> d.findElement(By.cssSelector("[data-hint-for='secrets']")).getAttribute("textContent")
                .contains("Set now: DEPLOY_KEY"));
        assertThat(driver.findElement(By.id("s-secrets")).getAttribute("value")).isEmpty();
        assertThat(driver.getPageSource()).doesNotContain("browser-secret-value-5");
        // the declared parameter comes back as its row
        driver.findElement(By.cssSelector("#s-run > summary")).click();
        WebElement saved = visible(By.cssSelector("#s-params .rows-list > .row"));
        assertThat(saved.findElement(By.cssSelector("[data-key='name']")).getAttribute("value")).isEqualTo("TARGET");
        assertThat(saved.findElement(By.cssSelector("[data-key='choices']")).getAttribute("value")).isEqualTo("blue, green");
        assertThat(saved.findElement(By.cssSelector("[data-key='required']")).isSelected()).isTrue();
        driver.findElement(By.cssSelector("#server-dialog button[data-close]")).click();

        // the deploy dialog is a form of the parameters; a value the API refuses is shown at its field
        int forwards = sshd.forwards();
        driver.get(url("/"));
        visible(By.cssSelector("[data-server='" + alias + "'] button.deploy-button")).click();
        visible(By.cssSelector("#confirm-fields input[name='REF']")).sendKeys("no spaces allowed");
        new Select(driver.findElement(By.cssSelector("#confirm-fields select[name='TARGET']")))
                .selectByValue("green");
        confirm();
        assertThat(visible(By.id("confirm-error")).getText()).contains("parameters.REF");
        assertThat(visible(By.id("err-REF")).getText()).isNotEmpty();
        shot("deploy-dialog-refused");
        WebElement ref = driver.findElement(By.cssSelector("#confirm-fields input[name='REF']"));
        ref.clear();
        ref.sendKeys("v2.1");
        confirm();
        waitUpTo(15).until(ExpectedConditions.urlMatches(".*/deployments/\\d+$"));
        waitUpTo(30).until(d -> text(By.id("status")).equals("Succeeded"));
        waitUpTo(10).until(d -> text(By.cssSelector("#steps li[data-step='rollback'] .badge")).equals("Skipped"));
        for (String step : List.of("precheck", "deploy", "verify")) {
            assertThat(text(By.cssSelector("#steps li[data-step='" + step + "'] .badge"))).as(step).isEqualTo("Succeeded");
        }
        assertThat(text(By.cssSelector("#server-fact"))).contains("via " + bastion);
        assertThat(text(By.id("ref"))).isEqualTo("v2.1");
        assertThat(text(By.id("parameters"))).contains("TARGET=green");
        assertThat(text(By.id("log"))).contains("deploying v2.1 to green with key=***").doesNotContain("browser-secret-value-5").contains("verified green").contains("[step] verify: SUCCEEDED");
        assertThat(sshd.forwards()).as("the run went through the jump host").isGreaterThan(forwards);
        shot("deployment-steps");

        // promotion: a choice of the other servers; the new deployment runs the same version and values there
        String id = driver.getCurrentUrl().replaceAll(".*/", "");
        String production = server("Checkout production", "echo \"production $REF $TARGET\"");
        given().auth().oauth2(adminToken).contentType(ContentType.JSON).body(Map.of("parameters", List.of(
                        Map.of("name", "TARGET", "type", "choice", "choices", List.of("blue", "green")))))
                .patch("/api/servers/" + given().auth().oauth2(adminToken).get("/api/servers/" + production).path("id"))
                .then().statusCode(200);
        driver.findElement(By.id("promote")).click();
        WebElement target = visible(By.cssSelector("#confirm-fields select[name='server']"));
        assertThat(target.getText()).contains("Checkout production").doesNotContain("Checkout (" + alias);
        new Select(target).selectByValue(production);
        shot("promote-dialog");
        confirm();
        waitUpTo(15).until(d -> !d.getCurrentUrl().endsWith("/" + id));
        waitUpTo(30).until(d -> text(By.id("status")).equals("Succeeded"));
        assertThat(text(By.id("origin"))).isEqualTo("promotion of #" + id);
        assertThat(text(By.id("log"))).contains("production v2.1 green");
        assertThat(driver.getPageSource()).doesNotContain("browser-secret-value-5");
    }

    @Test
    void searchEveryLogFromTheHistoryThenFindInOneLog() throws IOException {
        String alias = server("Searchable", "echo 'starting up'; i=1; while [ $i -le 80 ]; do echo \"work item $i\"; i=$((i+1)); done\n"
                + "echo 'ERROR: disk quota exceeded on /var'; echo cleanup; echo 'error count: 1'");
        long id = given().auth().oauth2(adminToken).contentType(ContentType.JSON).body(Map.of("server", alias))
                .post("/api/deployments").then().statusCode(202).extract().<Number>path("id").longValue();
        waitUpTo(30).until(d -> "SUCCEEDED".equals(given().auth().oauth2(adminToken).get("/api/deployments/" + id).path("status")));
        browserLogin(ADMIN, ADMIN_PASSWORD);
        driver.get(url("/deployments"));
        visible(By.id("log-q")).sendKeys("quota exceed* \"/var\"");
        driver.findElement(By.cssSelector("form.inline-search button[type=submit]")).click();
        waitUpTo(10).until(ExpectedConditions.urlContains("/search?q="));
        WebElement hit = visible(By.cssSelector("#hits li"));
        assertThat(hit.getText()).contains("#" + id).contains(alias).contains("ERROR: disk quota exceeded on /var")
                .contains("work item 80").contains("cleanup");
        assertThat(hit.findElements(By.tagName("mark")).stream().map(WebElement::getText).toList())
                .containsExactly("quota", "exceed", "/var");
        shot("search-logs");
        String href = hit.findElement(By.cssSelector(".hit-head a")).getAttribute("href");
        String line = href.replaceAll(".*#L", "");
        hit.findElement(By.cssSelector(".hit-head a")).click();
        // the deployment page opens at that line, marked
        WebElement target = waitUpTo(15).until(d -> d.findElement(By.cssSelector("#L" + line + ".target")));
        assertThat(target.getText()).contains("ERROR: disk quota exceeded");
        WebElement find = visible(By.id("find"));
        find.sendKeys("error");
        waitUpTo(5).until(d -> text(By.id("find-count")).equals("1 of 2"));
        assertThat(driver.findElements(By.cssSelector("#log mark.find-hit")).stream().map(WebElement::getText).toList())
                .containsExactly("ERROR", "error");
        driver.findElement(By.id("find-next")).click();
        assertThat(text(By.id("find-count"))).isEqualTo("2 of 2");
        assertThat(driver.findElement(By.cssSelector("#log mark.find-hit.current")).getText()).isEqualTo("error");
        find.sendKeys(org.openqa.selenium.Keys.chord(org.openqa.selenium.Keys.SHIFT, org.openqa.selenium.Keys.ENTER));
        assertThat(text(By.id("find-count"))).isEqualTo("1 of 2");
        shot("find-in-log");
        find.clear();
        find.sendKeys("no such text here");
        waitUpTo(5).until(d -> text(By.id("find-count")).equals("no match"));
        assertThat(driver.findElements(By.cssSelector("#log mark"))).isEmpty();

        // a query that cannot be searched says why, on the page
        driver.get(url("/search?q=ab"));
        assertThat(visible(By.id("search-error")).getText()).contains("at least 3 characters");
        driver.get(url("/search?q=" + java.net.URLEncoder.encode("\"never printed anywhere\"", java.nio.charset.StandardCharsets.UTF_8)));
        visible(By.id("no-hits"));
    }

    @Test
    void aUserLinksAndUnlinksTheirSlackAccountWithACode() throws Exception {
        String op = operator();
        String slackUser = "U" + Long.toHexString(System.nanoTime()).toUpperCase();
        // what /deploy link leaves behind in Slack's name: the hash of a code, valid ten minutes
        update("INSERT INTO slack_link_codes (code_hash, slack_user_id, expires_at) VALUES ('"
                + Signatures.sha256("KQ7WPX2M9T") + "', '" + slackUser + "', now() + interval '10 minutes')");
        browserLogin(op, "operator-pass");
        driver.get(url("/account"));
        waitUpTo(10).until(d -> text(By.id("slack-state")).startsWith("Not linked"));
        visible(By.id("slack-code")).sendKeys("WRONG-CODE1");
        driver.findElement(By.cssSelector("#slack-form button[type=submit]")).click();
        assertThat(visible(By.cssSelector("#slack-form .form-error")).getText()).contains("unknown or expired");
        WebElement code = driver.findElement(By.id("slack-code"));
        code.clear();
        code.sendKeys("kq7wp-x2m9t");
        driver.findElement(By.cssSelector("#slack-form button[type=submit]")).click();
        waitUpTo(10).until(d -> text(By.id("slack-state")).contains("Linked to Slack user " + slackUser));
        shot("account-slack");
        visible(By.id("slack-unlink")).click();
        confirm();
        waitUpTo(10).until(d -> text(By.id("slack-state")).startsWith("Not linked"));
    }

    @Test
    void aQueuePolicyFromTheServerFormAndQueuePositionsOnThePages() throws IOException {
        String alias = server("Slow queue", "sleep 3; echo done");
        browserLogin(ADMIN, ADMIN_PASSWORD);
        driver.get(url("/servers"));
        visible(By.cssSelector("tr[data-server-row='" + alias + "'] button[data-mode='edit']")).click();
        waitUpTo(10).until(d -> d.findElement(By.id("s-alias")).getAttribute("value").equals(alias));
        new Select(driver.findElement(By.id("s-queue"))).selectByValue("replace");
        driver.findElement(By.cssSelector("#server-dialog button[type=submit]")).click();
        waitUpTo(10).until(d -> d.findElement(By.cssSelector("tr[data-server-row='" + alias + "']")).getText()
                .contains("queue policy: replace"));
        java.util.function.Supplier<Long> trigger = () -> given().auth().oauth2(adminToken).contentType(ContentType.JSON)
                .body(Map.of("server", alias)).post("/api/deployments").then().statusCode(202).extract().<Number>path("id").longValue();
        long running = trigger.get();
        waitUpTo(20).until(d -> "RUNNING".equals(given().auth().oauth2(adminToken).get("/api/deployments/" + running).path("status")));
        long replaced = trigger.get();
        long queued = trigger.get();
        driver.get(url("/"));
        WebElement row = waitUpTo(10).until(d -> d.findElement(By.xpath("//a[text()='#" + queued + "']/ancestor::tr")));
        assertThat(row.getText()).contains("Queued").contains("#1 in line");
        assertThat(driver.findElements(By.xpath("//a[text()='#" + queued + "']/ancestor::tr")))
                .as("the running-and-queued list and the recent list").hasSize(2)
                .allSatisfy(r -> assertThat(r.getText()).contains("#1 in line"));
        shot("dashboard-queue-position");
        driver.get(url("/deployments/" + queued));
        assertThat(visible(By.id("position")).getText()).contains("#1 in line for " + alias);
        driver.get(url("/deployments/" + replaced));
        waitUpTo(10).until(d -> text(By.id("status")).equals("Superseded"));
        assertThat(text(By.id("error"))).isEqualTo("Superseded by #" + queued);
        driver.get(url("/deployments/" + queued));
        waitUpTo(30).until(d -> text(By.id("status")).equals("Succeeded"));
        assertThat(driver.findElements(By.id("position"))).isEmpty();
    }

    /** A pinned server in the given environment. */
    String serverIn(String environment, String name, String script) throws IOException {
        String alias = unique("env-");
        Path work = Files.createDirectories(DIR.resolve(alias));
        Files.writeString(work.resolve("deploy.sh"), "#!/bin/sh\n" + script + "\n");
        work.resolve("deploy.sh").toFile().setExecutable(true);
        given().auth().oauth2(adminToken).contentType(ContentType.JSON)
                .body(Map.of("name", name, "alias", alias, "host", "127.0.0.1", "port", sshd.port(), "user", "deployer",
                        "path", work.toString(), "host_key", sshd.hostKeyLine(), "environment", environment))
                .post("/api/servers").then().statusCode(201);
        return alias;
    }

    @Test
    void anAdminSetsAnApprovalPolicyAndAnotherOperatorApprovesOrRejectsFromThePages() throws IOException {
        String env = unique("prod-");
        browserLogin(ADMIN, ADMIN_PASSWORD);
        driver.get(url("/environments"));
        visible(By.cssSelector("button[data-open='env-dialog'][data-mode='create']")).click();
        visible(By.id("e-name")).sendKeys(env);
        WebElement approvals = driver.findElement(By.id("e-approvals"));
        approvals.clear();
        approvals.sendKeys("1");
        // a weekly freeze is a row of day boxes and times; one without a day is refused at its days, nothing saved
        driver.findElement(By.cssSelector("#e-weekly [data-add-row]")).click();
        WebElement weekly = visible(By.cssSelector("#e-weekly .rows-list > .row"));
        setValue(weekly.findElement(By.cssSelector("[data-key='from']")), "15:00");
        setValue(weekly.findElement(By.cssSelector("[data-key='to']")), "23:00");
        driver.findElement(By.cssSelector("#env-dialog button[type=submit]")).click();
        assertThat(visible(By.cssSelector("#env-dialog .form-error")).getText()).contains("weekly_freezes[0].days");
        assertThat(weekly.findElement(By.cssSelector("fieldset.days")).getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(weekly.findElement(By.cssSelector(".field-error")).getText()).contains("needs at least one of");
        shot("environment-weekly-freeze-error");
        weekly.findElement(By.cssSelector("[data-remove-row]")).click();
        assertThat(driver.findElements(By.cssSelector("#e-weekly .rows-list > .row"))).isEmpty();
        driver.findElement(By.cssSelector("#env-dialog button[type=submit]")).click();
        WebElement row = visible(By.cssSelector("tr[data-env-row='" + env + "']"));
        assertThat(row.getText()).contains("1 of other people").contains("any time").contains("open");

        String alias = serverIn(env, "Payments", "echo approved-run");
        String requester = operator();
        String requesterToken = login(requester, "operator-pass");
        java.util.function.Supplier<Long> trigger = () -> given().auth().oauth2(requesterToken).contentType(ContentType.JSON)
                .body(Map.of("server", alias, "note", "release 42", "parameters", Map.of("REF", "v4.2"))).post("/api/deployments").then().statusCode(202)
                .extract().<Number>path("id").longValue();
        long first = trigger.get();
        long second = trigger.get();
        driver.get(url("/environments"));
        assertThat(visible(By.cssSelector("tr[data-env-row='" + env + "']")).getText()).contains(alias);
        shot("environments");

        // the requester sees it waiting, without buttons to approve it themselves
        driver.manage().deleteAllCookies();
        browserLogin(requester, "operator-pass");
        driver.get(url("/deployments/" + first));
        assertThat(visible(By.id("status")).getText()).isEqualTo("Awaiting approval");
        assertThat(text(By.id("approvals"))).contains("0 of 1");
        assertThat(driver.findElements(By.id("approve"))).isEmpty();
        assertThat(text(By.id("queued"))).as("not in the queue before its approvals").isEqualTo("—");

        // another operator: the dashboard says it waits for them; approve one with a comment, reject the other
        String approver = operator();
        driver.manage().deleteAllCookies();
        browserLogin(approver, "operator-pass");
        driver.get(url("/"));
        assertThat(visible(By.id("awaiting-me")).getText()).contains("#" + first).contains("requested by " + requester);
        driver.get(url("/approvals"));
        WebElement mine = visible(By.cssSelector("tr[data-approval-row='" + first + "']"));
        assertThat(mine.getText()).contains(alias).contains(requester).contains("release 42").contains("0 of 1");
        shot("approvals");
        mine.findElement(By.cssSelector("button[data-mode='approve']")).click();
        // the dialog asks what approving does, and shows what will run
        assertThat(visible(By.id("decision-title")).getText()).isEqualTo("Approve deploying v4.2 to " + alias + " (#" + first + ")?");
        assertThat(text(By.id("decision-what"))).isEqualTo("It runs version v4.2, no other parameters.");
        driver.findElement(By.id("decision-comment")).sendKeys("diff reviewed");
        driver.findElement(By.cssSelector("#decision-dialog button[type=submit]")).click();
        waitUpTo(10).until(d -> d.findElements(By.cssSelector("tr[data-approval-row='" + first + "'] button")).isEmpty());

        visible(By.cssSelector("tr[data-approval-row='" + second + "'] button[data-mode='reject']")).click();
        driver.findElement(By.cssSelector("#decision-dialog button[type=submit]")).click();
        assertThat(visible(By.cssSelector("#decision-dialog .form-error")).getText()).contains("comment");
        driver.findElement(By.id("decision-comment")).sendKeys("wait for the freeze to end");
        driver.findElement(By.cssSelector("#decision-dialog button[type=submit]")).click();
        waitUpTo(10).until(d -> d.findElements(By.cssSelector("tr[data-approval-row='" + second + "']")).isEmpty());
        assertThat(visible(By.id("nothing-for-me")).getText()).contains("Nothing waits");

        driver.get(url("/deployments/" + first));
        waitUpTo(30).until(d -> text(By.id("status")).equals("Succeeded"));
        assertThat(text(By.id("approvals"))).contains("1 of 1").contains("approved " + approver).contains("diff reviewed");
        assertThat(text(By.id("log"))).contains("approved-run");
        // the request time stays; the queue time is the approval's
        OffsetDateTime requestedAt = OffsetDateTime.parse(driver.findElement(By.cssSelector("#requested time")).getAttribute("datetime"));
        OffsetDateTime queuedAt = OffsetDateTime.parse(driver.findElement(By.cssSelector("#queued time")).getAttribute("datetime"));
        assertThat(queuedAt).isAfter(requestedAt);
        assertThat(text(By.id("queued"))).contains("after its approvals");
        shot("deployment-approved");
        driver.get(url("/deployments/" + second));
        waitUpTo(10).until(d -> text(By.id("status")).equals("Rejected"));
        assertThat(text(By.id("error"))).contains("wait for the freeze to end");
        assertThat(text(By.id("log-state"))).contains("lines");

        // a viewer sees what waits, and no buttons
        String viewer = unique("vi");
        createUser(adminToken, viewer, "viewer-pass-1", "viewer");
        long third = trigger.get();
        trigger.get(); // still waiting when the viewer looks at the approvals page below
        driver.manage().deleteAllCookies();
        browserLogin(viewer, "viewer-pass-1");
        // the page of a waiting deployment follows its approval without a reload: the count, who, and then the run
        driver.get(url("/deployments/" + third));
        assertThat(visible(By.id("approvals")).getText()).contains("0 of 1");
        given().auth().oauth2(login(approver, "operator-pass")).contentType(ContentType.JSON).body(Map.of("comment", "third is fine"))
                .post("/api/deployments/" + third + "/approve").then().statusCode(200);
        waitUpTo(20).until(d -> text(By.id("approvals")).contains("1 of 1") && text(By.id("approvals")).contains("approved " + approver));
        assertThat(text(By.id("approvals"))).contains("third is fine").doesNotContain("window ends");
        waitUpTo(30).until(d -> text(By.id("status")).equals("Succeeded"));
        assertThat(text(By.id("approvals"))).contains("1 of 1");
        driver.get(url("/approvals"));
        assertThat(visible(By.id("nothing-for-me")).getText()).contains("Viewers cannot approve");
        assertThat(driver.findElement(By.id("all-h")).isDisplayed()).isTrue();
        assertThat(driver.findElements(By.cssSelector("table.approvals button"))).isEmpty();
        assertThat(driver.findElements(By.cssSelector("table.approvals tr[data-approval-row]"))).isNotEmpty();
    }

    @Test
    void anAdminMakesATeamGrantsItAnEnvironmentAndOnlyItsMembersSeeAndDeploy() throws IOException {
        String env = unique("restricted-");
        given().auth().oauth2(adminToken).contentType(ContentType.JSON).body(Map.of("name", env)).post("/api/environments")
                .then().statusCode(201);
        String alias = serverIn(env, "Ledger", "echo granted-run");
        String member = operator();
        String outsider = operator();
        String team = unique("payments-");

        browserLogin(ADMIN, ADMIN_PASSWORD);
        driver.get(url("/teams"));
        visible(By.cssSelector("button[data-open='team-dialog'][data-mode='create']")).click();
        visible(By.id("t-name")).sendKeys(team);
        driver.findElement(By.id("t-description")).sendKeys("Payments on-call");
        driver.findElement(By.cssSelector("#team-dialog button[type=submit]")).click();
        visible(By.cssSelector("tr[data-team-row='" + team + "'] button[data-open='member-dialog']")).click();
        // the field suggests the users there are
        assertThat(driver.findElement(By.id("m-user")).getAttribute("list")).isEqualTo("usernames");
        assertThat(driver.findElements(By.cssSelector("#usernames option[value='" + member + "']"))).hasSize(1);
        visible(By.id("m-user")).sendKeys("nobody-here");
        driver.findElement(By.cssSelector("#member-dialog button[type=submit]")).click();
        // an unknown user is refused in the form
        assertThat(visible(By.cssSelector("#member-dialog .form-error")).getText()).contains("nobody-here");
        driver.findElement(By.id("m-user")).clear();
        driver.findElement(By.id("m-user")).sendKeys(member);
        driver.findElement(By.cssSelector("#member-dialog button[type=submit]")).click();
        waitUpTo(10).until(d -> d.findElement(By.cssSelector("tr[data-team-row='" + team + "']")).getText().contains(member));
        shot("teams");

        driver.get(url("/environments"));
        visible(By.cssSelector("tr[data-env-row='" + env + "'] button[data-open='grant-dialog']")).click();
        new Select(visible(By.id("g-team"))).selectByVisibleText(team);
        // the server field suggests the servers of the environments shown
        assertThat(driver.findElement(By.id("g-server")).getAttribute("list")).isEqualTo("env-servers");
        assertThat(driver.findElements(By.cssSelector("#env-servers option[value='" + alias + "']"))).hasSize(1);
        new Select(driver.findElement(By.id("g-permission"))).selectByValue("deploy");
        driver.findElement(By.cssSelector("#grant-dialog button[type=submit]")).click();
        waitUpTo(10).until(d -> d.findElement(By.cssSelector("td[data-grants='" + env + "']")).getText().contains(team));
        assertThat(text(By.cssSelector("td[data-grants='" + env + "']"))).contains("deploy");
        shot("environments-grants");

        // the member sees the server and deploys it from the dashboard
        driver.manage().deleteAllCookies();
        browserLogin(member, "operator-pass");
        driver.get(url("/"));
        visible(By.cssSelector("[data-server='" + alias + "'] button.deploy-button")).click();
        confirm();
        waitUpTo(15).until(ExpectedConditions.urlMatches(".*/deployments/\\d+$"));
        waitUpTo(30).until(d -> text(By.id("status")).equals("Succeeded"));
        assertThat(text(By.id("log"))).contains("granted-run");
        String deployment = driver.getCurrentUrl().replaceAll(".*/deployments/", "");

        // another operator sees neither the server, nor its deployment, nor a way to it
        driver.manage().deleteAllCookies();
        browserLogin(outsider, "operator-pass");
        driver.get(url("/"));
        visible(By.id("nav"));
        assertThat(driver.findElements(By.cssSelector("[data-server='" + alias + "']"))).isEmpty();
        driver.get(url("/deployments"));
        assertThat(driver.getPageSource()).doesNotContain(alias);
        driver.get(url("/deployments/" + deployment));
        assertThat(driver.getPageSource()).contains("No deployment " + deployment);
        driver.get(url("/environments"));
        assertThat(driver.findElements(By.cssSelector("tr[data-env-row='" + env + "']"))).isEmpty();
        shot("environments-outsider");
    }

    @Test
    void aFrozenEnvironmentRefusesTheDeployDialogUntilGlassIsBrokenWithAReason() throws IOException {
        String env = unique("frozen-");
        java.time.Instant now = java.time.Instant.now();
        given().auth().oauth2(adminToken).contentType(ContentType.JSON).body(Map.of("name", env, "break_glass", true,
                        "freeze_windows", List.of(Map.of("start", now.minusSeconds(60).toString(), "end", now.plusSeconds(7200).toString(),
                                "reason", "Launch day"))))
                .post("/api/environments").then().statusCode(201);
        String alias = serverIn(env, "Checkout", "echo emergency-fix");
        String op = operator();
        browserLogin(op, "operator-pass");
        driver.get(url("/environments"));
        assertThat(visible(By.cssSelector("tr[data-env-row='" + env + "']")).getText()).contains("held").contains("Launch day");
        driver.get(url("/"));
        visible(By.cssSelector("[data-server='" + alias + "'] button.deploy-button")).click();
        WebElement reason = visible(By.cssSelector("#confirm-fields input[name='break_glass']"));
        confirm();
        assertThat(visible(By.id("confirm-error")).getText()).contains("Launch day").contains("break glass");
        shot("deploy-frozen");
        reason = visible(By.cssSelector("#confirm-fields input[name='break_glass']"));
        reason.sendKeys("payment outage, fix #991");
        confirm();
        waitUpTo(15).until(ExpectedConditions.urlMatches(".*/deployments/\\d+$"));
        assertThat(visible(By.id("break-glass")).getText()).contains("payment outage, fix #991");
        waitUpTo(30).until(d -> text(By.id("status")).equals("Succeeded"));
        shot("deployment-break-glass");
    }

    @Test
    void freezesWeeklyFreezesAndDeployHoursAreFormsThatKeepWhatTheySay() {
        String env = unique("frozen-");
        given().auth().oauth2(adminToken).contentType(ContentType.JSON).body(Map.of("name", env, "time_zone", "Europe/Berlin",
                        "freeze_windows", List.of(Map.of("start", "2026-12-20T00:00:00+01:00", "end", "2027-01-04T00:00:00+01:00",
                                "reason", "Holidays")),
                        "weekly_freezes", List.of(Map.of("days", List.of("FRI"), "from", "15:00", "to", "23:59",
                                "reason", "No Friday deploys")),
                        "deploy_hours", Map.of("days", List.of("MON", "TUE", "WED", "THU", "FRI"), "from", "09:00", "to", "17:00")))
                .post("/api/environments").then().statusCode(201);
        java.time.format.DateTimeFormatter local = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm");
        browserLogin(ADMIN, ADMIN_PASSWORD);
        driver.get(url("/environments"));
        visible(By.cssSelector("button[data-open='env-dialog'][data-mode='edit'][data-id='" + env + "']")).click();
        // what the API holds, as rows: the freeze in the viewer's own time, the days as ticked boxes
        WebElement freeze = visible(By.cssSelector("#e-freezes .rows-list > .row"));
        assertThat(freeze.findElement(By.cssSelector("[data-key='start']")).getAttribute("value")).isEqualTo(
                java.time.OffsetDateTime.parse("2026-12-20T00:00:00+01:00").atZoneSameInstant(java.time.ZoneId.systemDefault()).format(local));
        assertThat(freeze.findElement(By.cssSelector("[data-key='reason']")).getAttribute("value")).isEqualTo("Holidays");
        WebElement weekly = driver.findElement(By.cssSelector("#e-weekly .rows-list > .row"));
        assertThat(weekly.findElement(By.cssSelector("input[value='FRI']")).isSelected()).isTrue();
        assertThat(weekly.findElement(By.cssSelector("input[value='MON']")).isSelected()).isFalse();
        assertThat(weekly.findElement(By.cssSelector("[data-key='to']")).getAttribute("value")).isEqualTo("23:59");
        WebElement hours = driver.findElement(By.cssSelector("#e-hours .rows-list > .row"));
        assertThat(hours.findElement(By.cssSelector("input[value='WED']")).isSelected()).isTrue();
        assertThat(hours.findElement(By.cssSelector("input[value='SUN']")).isSelected()).isFalse();
        // one deploy-hours row at most: its Add button is gone while it has one
        assertThat(driver.findElement(By.cssSelector("#e-hours [data-add-row]")).isDisplayed()).isFalse();
        // the time zone field suggests the zones the browser knows
        assertThat(driver.findElement(By.id("e-zone")).getAttribute("list")).isEqualTo("time-zones");
        assertThat(driver.findElements(By.cssSelector("#time-zones option[value='Europe/Berlin']"))).hasSize(1);

        // the freeze is replaced by another one that ends before it starts: refused at its end field, nothing saved
        freeze.findElement(By.cssSelector("[data-remove-row]")).click();
        driver.findElement(By.cssSelector("#e-freezes [data-add-row]")).click();
        WebElement other = visible(By.cssSelector("#e-freezes .rows-list > .row"));
        setValue(other.findElement(By.cssSelector("[data-key='start']")), "2027-02-01T10:00");
        setValue(other.findElement(By.cssSelector("[data-key='end']")), "2027-02-01T09:00");
        other.findElement(By.cssSelector("[data-key='reason']")).sendKeys("Migration");
        setValue(hours.findElement(By.cssSelector("[data-key='to']")), "18:00");
        driver.findElement(By.cssSelector("#env-dialog button[type=submit]")).click();
        assertThat(visible(By.cssSelector("#env-dialog .form-error")).getText()).contains("freeze_windows[0].end");
        assertThat(other.findElement(By.cssSelector("[data-key='end']")).getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(given().auth().oauth2(adminToken).get("/api/environments/" + env).path("freeze_windows[0].reason").toString())
                .isEqualTo("Holidays");
        shot("environment-freeze-rows");
        setValue(other.findElement(By.cssSelector("[data-key='end']")), "2027-02-01T12:00");
        driver.findElement(By.cssSelector("#env-dialog button[type=submit]")).click();
        waitUpTo(10).until(d -> "Migration".equals(given().auth().oauth2(adminToken).get("/api/environments/" + env)
                .path("freeze_windows[0].reason")));
        io.restassured.path.json.JsonPath saved = given().auth().oauth2(adminToken).get("/api/environments/" + env).jsonPath();
        assertThat(saved.getList("freeze_windows")).hasSize(1);
        assertThat(java.time.OffsetDateTime.parse(saved.getString("freeze_windows[0].start")).toInstant()).isEqualTo(
                java.time.LocalDateTime.parse("2027-02-01T10:00").atZone(java.time.ZoneId.systemDefault()).toInstant());
        assertThat(saved.getString("deploy_hours.to")).isEqualTo("18:00");
        assertThat(saved.getList("deploy_hours.days")).containsExactly("MON", "TUE", "WED", "THU", "FRI");
        assertThat(saved.getString("weekly_freezes[0].reason")).isEqualTo("No Friday deploys");
        assertThat(saved.getString("time_zone")).isEqualTo("Europe/Berlin");

        // on a phone the rows stack and stay inside the screen
        driver.manage().window().setSize(new Dimension(390, 844));
        visible(By.cssSelector("button[data-open='env-dialog'][data-mode='edit'][data-id='" + env + "']")).click();
        WebElement row = visible(By.cssSelector("#e-hours .rows-list > .row"));
        Number overflow = (Number) ((JavascriptExecutor) driver).executeScript(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
        assertThat(overflow.intValue()).as("horizontal overflow at 390 px").isLessThanOrEqualTo(0);
        assertThat(row.getRect().getX() + row.getRect().getWidth()).isLessThanOrEqualTo(390);
        shot("environment-rows-phone");
    }

    @Test
    void anOperatorSchedulesADeploymentThatRunsAndPausesIt() throws Exception {
        String alias = server("Nightly", "echo \"nightly $REF $TARGET\"");
        given().auth().oauth2(adminToken).contentType(ContentType.JSON).body(Map.of("parameters", List.of(
                        Map.of("name", "TARGET", "type", "choice", "choices", List.of("blue", "green"), "required", true),
                        Map.of("name", "TOKEN", "type", "secret"))))
                .patch("/api/servers/" + given().auth().oauth2(adminToken).get("/api/servers/" + alias).path("id"))
                .then().statusCode(200);
        String op = operator();
        browserLogin(op, "operator-pass");
        driver.get(url("/schedules"));
        visible(By.cssSelector("button[data-open='schedule-dialog']")).click();
        new Select(visible(By.id("c-server"))).selectByValue(alias);
        driver.findElement(By.id("c-description")).sendKeys("nightly main");
        driver.findElement(By.id("c-cron")).sendKeys("0 25 * * *");
        WebElement zone = driver.findElement(By.id("c-zone"));
        zone.clear();
        zone.sendKeys("Europe/Berlin");
        // the values are the server's own fields (REF and what it declares), not JSON
        visible(By.cssSelector("#c-parameters input[name='REF']")).sendKeys("main");
        new Select(visible(By.cssSelector("#c-parameters select[name='TARGET']"))).selectByValue("green");
        assertThat(driver.findElements(By.cssSelector("#c-parameters input[name='TOKEN']"))).as("no secret field").isEmpty();
        assertThat(text(By.cssSelector("#c-parameters .params-secrets"))).contains("TOKEN");
        driver.findElement(By.cssSelector("#schedule-dialog button[type=submit]")).click();
        assertThat(visible(By.cssSelector("#schedule-dialog .form-error")).getText()).contains("hour 25 is outside 0-23");
        WebElement cron = driver.findElement(By.id("c-cron"));
        cron.clear();
        cron.sendKeys("0 3 * * MON-FRI");
        driver.findElement(By.cssSelector("#schedule-dialog button[type=submit]")).click();
        waitUpTo(10).until(d -> d.findElement(By.cssSelector("table.schedules")).getText().contains(alias));
        long id = queryLong("SELECT max(c.id) FROM schedules c JOIN servers s ON s.id = c.server_id WHERE s.alias = '" + alias + "'");
        WebElement row = visible(By.cssSelector("tr[data-schedule-row='" + id + "']"));
        assertThat(row.getText()).contains("0 3 * * MON-FRI").contains("Europe/Berlin").contains("REF=main").contains("TARGET=green")
                .contains("never ran");
        shot("schedules");

        // its time comes: it deploys, and the page links the run
        update("UPDATE schedules SET next_run_at = now() WHERE id = " + id);
        waitUpTo(20).until(d -> {
            d.navigate().refresh();
            return d.findElement(By.cssSelector("tr[data-schedule-row='" + id + "']")).getText().contains("queued #");
        });
        driver.findElement(By.cssSelector("tr[data-schedule-row='" + id + "'] a")).click();
        waitUpTo(30).until(d -> text(By.id("status")).equals("Succeeded"));
        assertThat(text(By.id("log"))).contains("nightly main green");
        driver.get(url("/schedules"));
        // the last run says what its deployment is now, not only what it was when the run made it
        assertThat(text(By.cssSelector("tr[data-schedule-row='" + id + "'] [data-last-status]"))).isEqualTo("Succeeded");
        visible(By.cssSelector("tr[data-schedule-row='" + id + "'] button[data-field='enabled']")).click();
        waitUpTo(10).until(d -> d.findElement(By.cssSelector("tr[data-schedule-row='" + id + "']")).getText().contains("off"));
    }

    @Test
    void accountChangesPasswordAndShowsANewTokenOnce() {
        String op = operator();
        browserLogin(op, "operator-pass");
        driver.get(url("/account"));
        visible(By.id("t-name")).sendKeys("ci-pipeline");
        driver.findElement(By.cssSelector("#token-form button[type=submit]")).click();
        WebElement secret = visible(By.id("new-token-value"));
        assertThat(secret.getText()).startsWith("tdp_");
        waitUpTo(10).until(d -> d.findElement(By.cssSelector(".tokens-list")).getText().contains("ci-pipeline"));
        shot("account-token");
        // the token works for the API
        String token = secret.getText();
        given().auth().oauth2(token).get("/api/me").then().statusCode(200);
        driver.navigate().refresh();
        visible(By.id("t-name"));
        assertThat(driver.getPageSource()).doesNotContain(token);

        visible(By.id("p-current")).sendKeys("wrong-current");
        driver.findElement(By.id("p-new")).sendKeys("another-long-password");
        driver.findElement(By.cssSelector("form[data-api='/api/me/password'] button[type=submit]")).click();
        assertThat(visible(By.cssSelector("form[data-api='/api/me/password'] .form-error")).getText()).contains("current password");
        driver.findElement(By.id("p-current")).clear();
        driver.findElement(By.id("p-current")).sendKeys("operator-pass");
        driver.findElement(By.cssSelector("form[data-api='/api/me/password'] button[type=submit]")).click();
        waitUpTo(10).until(d -> d.findElement(By.id("toast")).getText().contains("Password changed"));
        // this browser stays logged in; the old password no longer works, the new one does
        driver.navigate().refresh();
        assertThat(visible(By.cssSelector("nav .who")).getText()).contains(op);
        given().contentType(ContentType.JSON).body(Map.of("username", op, "password", "operator-pass"))
                .post("/api/login").then().statusCode(401);
        driver.manage().deleteAllCookies();
        browserLogin(op, "another-long-password");
        assertThat(visible(By.cssSelector("nav .who")).getText()).contains(op);
    }

    @Test
    void twoFactorSignInFromTheAccountPageThenTheLoginAsksForTheCode() throws Exception {
        String op = operator();
        browserLogin(op, "operator-pass");
        driver.get(url("/account"));
        waitUpTo(10).until(d -> d.findElement(By.id("totp-state")).getText().startsWith("Off"));
        visible(By.id("totp-start")).click();
        String secret = visible(By.id("totp-secret")).getText();
        assertThat(secret).matches("[A-Z2-7]{32}");
        assertThat(visible(By.id("totp-qr")).getAttribute("src")).startsWith("data:image/svg+xml;base64,");
        visible(By.id("totp-code")).sendKeys("000000");
        driver.findElement(By.cssSelector("#totp-confirm button[type=submit]")).click();
        assertThat(visible(By.cssSelector("#totp-confirm .form-error")).getText()).contains("code");
        shot("account-totp-enrol");
        driver.findElement(By.id("totp-code")).clear();
        driver.findElement(By.id("totp-code")).sendKeys(Oathtool.code(secret, 0));
        driver.findElement(By.cssSelector("#totp-confirm button[type=submit]")).click();
        waitUpTo(10).until(d -> d.findElements(By.cssSelector("#totp-recovery-codes li")).size() == 10);
        waitUpTo(10).until(d -> d.findElement(By.id("totp-state")).getText().startsWith("On"));
        shot("account-totp-on");

        // the login now asks for the code after the password
        driver.manage().deleteAllCookies();
        driver.get(url("/login"));
        fillLogin(op, "operator-pass");
        visible(By.id("code")).sendKeys(Oathtool.code(secret, 30));
        shot("login-code");
        driver.findElement(By.cssSelector("form button[type=submit]")).click();
        waitUpTo(15).until(d -> !d.getCurrentUrl().contains("/login"));
        assertThat(visible(By.cssSelector("nav .who")).getText()).contains(op);
    }

    @Test
    void aWebhookAndAScheduleThatStartRolloutsAreMadeInTheirDialogs() throws Exception {
        String a = server("Fleet one", "echo \"fleet $REF\"");
        String b = server("Fleet two", "echo \"fleet $REF\"");
        String group = unique("dlgfleet-");
        given().auth().oauth2(adminToken).contentType(ContentType.JSON).body(Map.of("name", group, "servers", List.of(a, b)))
                .post("/api/groups").then().statusCode(201);
        browserLogin(ADMIN, ADMIN_PASSWORD);

        // a webhook: "starts a rollout" swaps the server for the rollout's fields; a bad batch is refused at its field
        driver.get(url("/hooks"));
        visible(By.cssSelector("button[data-open='hook-dialog']")).click();
        String name = unique("roll-");
        visible(By.id("h-name")).sendKeys(name);
        assertThat(driver.findElement(By.id("h-r-group")).isDisplayed()).isFalse();
        new Select(driver.findElement(By.id("h-target"))).selectByValue("rollout");
        assertThat(driver.findElement(By.id("h-server")).isDisplayed()).isFalse();
        new Select(visible(By.id("h-r-group"))).selectByValue(group);
        driver.findElement(By.id("h-r-batch")).sendKeys("150%");
        driver.findElement(By.cssSelector("#hook-dialog button[type=submit]")).click();
        assertThat(visible(By.cssSelector("#hook-dialog .form-error")).getText()).contains("batch");
        assertThat(driver.findElement(By.id("h-r-batch")).getAttribute("aria-invalid")).isEqualTo("true");
        WebElement batch = driver.findElement(By.id("h-r-batch"));
        batch.clear();
        batch.sendKeys("1");
        shot("hook-dialog-rollout");
        driver.findElement(By.cssSelector("#hook-dialog button[type=submit]")).click();
        String secret = visible(By.id("new-hook-secret")).getText();
        String hookUrl = text(By.id("new-hook-url"));
        waitUpTo(10).until(d -> d.findElement(By.cssSelector(".hooks-list")).getText().contains(name));
        assertThat(driver.findElement(By.cssSelector("tr[data-hook-row='" + name + "']")).getText())
                .contains("rollout over group " + group).contains("rolling, batch 1");
        shot("hooks-rollout");
        // a push starts it with the pushed commit, one host after the other
        String body = "{\"ref\":\"refs/heads/main\",\"after\":\"0fedcba987654321fedcba987654321fedcba98\"}";
        long rollout = given().contentType(ContentType.JSON).header("X-GitHub-Event", "push").header("X-GitHub-Delivery", unique("d"))
                .header("X-Hub-Signature-256", "sha256=" + Signatures.hmacHex("sha256", secret,
                        body.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .body(body).post(hookUrl.substring(hookUrl.indexOf("/hooks/"))).then().statusCode(201)
                .body("waves", org.hamcrest.Matchers.equalTo(2)).extract().jsonPath().getLong("id");
        waitUpTo(30).until(d -> "SUCCEEDED".equals(given().auth().oauth2(adminToken).get("/api/rollouts/" + rollout).path("status")));

        // a schedule: the same choice; the rollout takes its version, the server's parameters box goes away
        driver.get(url("/schedules"));
        visible(By.cssSelector("button[data-open='schedule-dialog']")).click();
        new Select(visible(By.id("c-target"))).selectByValue("rollout");
        assertThat(driver.findElement(By.id("c-parameters")).isDisplayed()).isFalse();
        new Select(visible(By.id("c-r-group"))).selectByValue(group);
        driver.findElement(By.id("c-r-ref")).sendKeys("v9");
        new Select(driver.findElement(By.id("c-r-strategy"))).selectByValue("all_at_once");
        driver.findElement(By.id("c-description")).sendKeys("fleet at four");
        driver.findElement(By.id("c-cron")).sendKeys("0 4 * * *");
        driver.findElement(By.cssSelector("#schedule-dialog button[type=submit]")).click();
        waitUpTo(10).until(d -> d.findElement(By.cssSelector("table.schedules")).getText().contains("fleet at four"));
        long id = queryLong("SELECT max(id) FROM schedules WHERE description = 'fleet at four'");
        assertThat(driver.findElement(By.cssSelector("tr[data-schedule-row='" + id + "']")).getText())
                .contains("rollout over group " + group).contains("all_at_once").contains("v9");
        shot("schedules-rollout");
        update("UPDATE schedules SET next_run_at = now() WHERE id = " + id);
        waitUpTo(20).until(d -> {
            d.navigate().refresh();
            return d.findElement(By.cssSelector("tr[data-schedule-row='" + id + "']")).getText().contains("started rollout #");
        });
    }

    @Test
    void adminPagesForHooksAnalyticsAndAudit() throws IOException {
        String alias = server("Hooked app", "echo from hook");
        Number serverId = given().auth().oauth2(adminToken()).get("/api/servers/" + alias).then().statusCode(200).extract().path("id");
        given().auth().oauth2(adminToken()).contentType(ContentType.JSON)
                .body(Map.of("parameters", List.of(Map.of("name", "REGION", "type", "string", "required", true))))
                .patch("/api/servers/" + serverId).then().statusCode(200);
        browserLogin(ADMIN, ADMIN_PASSWORD);

        driver.get(url("/hooks"));
        visible(By.cssSelector("button[data-open='hook-dialog']")).click();
        String name = unique("gh-");
        visible(By.id("h-name")).sendKeys(name);
        new Select(driver.findElement(By.id("h-server"))).selectByValue(alias);
        assertThat(driver.findElement(By.id("h-header")).isDisplayed()).isFalse();
        new Select(driver.findElement(By.id("h-kind"))).selectByValue("hmac");
        assertThat(driver.findElement(By.id("h-header")).isDisplayed()).isTrue();
        new Select(driver.findElement(By.id("h-kind"))).selectByValue("github");
        driver.findElement(By.id("h-branch")).sendKeys("main");
        // the server requires REGION: the hook gives it, or no push could deploy it
        driver.findElement(By.id("h-params")).sendKeys("REGION=eu-west");
        driver.findElement(By.cssSelector("#hook-dialog button[type=submit]")).click();
        String secret = visible(By.id("new-hook-secret")).getText();
        String hookUrl = text(By.id("new-hook-url"));
        assertThat(secret).hasSizeGreaterThan(30);
        assertThat(hookUrl).startsWith(url("/hooks/h"));
        waitUpTo(10).until(d -> d.findElement(By.cssSelector(".hooks-list")).getText().contains(name));
        shot("hooks");
        // the hook works as GitHub would call it, and the deployment shows up
        String body = "{\"ref\":\"refs/heads/main\",\"after\":\"89abcdef0123456789abcdef0123456789abcdef\"}";
        given().contentType(ContentType.JSON).header("X-GitHub-Event", "push").header("X-GitHub-Delivery", unique("d"))
                .header("X-Hub-Signature-256", "sha256=" + Signatures.hmacHex("sha256", secret,
                        body.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .body(body).post(hookUrl.substring(hookUrl.indexOf("/hooks/"))).then().statusCode(202)
                .body("parameters.REGION", org.hamcrest.Matchers.equalTo("eu-west"));
        // a delivery with a wrong signature is refused, and the page lists both with their outcome
        given().contentType(ContentType.JSON).header("X-GitHub-Event", "push").header("X-GitHub-Delivery", unique("d"))
                .header("X-Hub-Signature-256", "sha256=00").body(body).post(hookUrl.substring(hookUrl.indexOf("/hooks/"))).then().statusCode(401);
        driver.get(url("/hooks"));
        WebElement row = visible(By.cssSelector("tr[data-hook-row='" + name + "']"));
        assertThat(row.getText()).contains("REGION=eu-west").contains("refused");
        row.findElement(By.cssSelector("details.deliveries summary")).click();
        waitUpTo(5).until(d -> row.findElement(By.cssSelector("details.deliveries ul")).isDisplayed());
        assertThat(row.findElement(By.cssSelector("details.deliveries ul")).getText()).contains("queued (202)")
                .contains("refused (401) · push: Missing or wrong signature").contains("deployment #");
        shot("hooks-deliveries");

        driver.get(url("/analytics?days=7"));
        waitUpTo(15).until(d -> "true".equals(d.findElement(By.id("charts")).getAttribute("data-drawn")));
        assertThat(driver.findElements(By.cssSelector("#chart-days svg rect"))).isNotEmpty();
        assertThat(driver.findElements(By.cssSelector("#chart-hours svg rect"))).isNotEmpty();
        assertThat(text(By.id("stat-total"))).matches("[1-9]\\d*");
        shot("analytics");

        driver.get(url("/audit?action=hook"));
        WebElement table = visible(By.cssSelector("table.audit"));
        assertThat(table.getText()).contains("hook.created").contains(name).contains("admin")
                .contains("hook.delivery").contains("hook:" + name).contains("via hook:" + name);
        shot("audit");
    }

    @Test
    void servicesAndNotificationChannelsFromTheirPages() throws IOException {
        com.sun.net.httpserver.HttpServer receiver = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        receiver.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            calls.incrementAndGet();
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        receiver.start();
        try {
            browserLogin(ADMIN, ADMIN_PASSWORD);
            driver.get(url("/services"));
            visible(By.cssSelector("button[data-open='service-dialog']")).click();
            String name = unique("health-");
            visible(By.id("v-name")).sendKeys(name);
            driver.findElement(By.id("v-target")).sendKeys(url("/q/health/live"));
            driver.findElement(By.id("v-body")).sendKeys("UP");
            driver.findElement(By.cssSelector("#service-dialog button[type=submit]")).click();
            WebElement row = visible(By.cssSelector("tr[data-service-row='" + name + "']"));
            row.findElement(By.cssSelector("button[data-action='check']")).click();
            waitUpTo(15).until(d -> d.findElement(By.cssSelector("tr[data-service-row='" + name + "']")).getText().contains("Up"));
            shot("services");
            driver.get(url("/"));
            assertThat(visible(By.id("services-summary")).getText()).contains("up");
            assertThat(driver.findElement(By.id("services-h")).isDisplayed()).isTrue();

            driver.get(url("/notifications"));
            visible(By.cssSelector("button[data-open='channel-dialog']")).click();
            String channel = unique("team-");
            visible(By.id("c-name")).sendKeys(channel);
            new Select(driver.findElement(By.id("c-kind"))).selectByValue("webhook");
            assertThat(driver.findElement(By.id("c-host")).isDisplayed()).isFalse();
            driver.findElement(By.id("c-url")).sendKeys("http://127.0.0.1:" + receiver.getAddress().getPort() + "/deploys");
            driver.findElement(By.id("c-secret")).sendKeys("a-signing-secret-for-the-team");
            driver.findElement(By.cssSelector("#channel-dialog button[type=submit]")).click();
            WebElement ch = visible(By.cssSelector("tr[data-channel-row='" + channel + "']"));
            assertThat(ch.getText()).contains("webhook").contains("deployment.failed").doesNotContain("a-signing-secret");
            ch.findElement(By.cssSelector("button[data-action='test-channel']")).click();
            waitUpTo(10).until(d -> d.findElement(By.id("toast")).getText().contains("Test message sent"));
            assertThat(calls.get()).isEqualTo(1);
            shot("notifications");
        } finally {
            receiver.stop(0);
        }
    }

    @Test
    void theNavigationFitsOneLineAt1366InGroupsAndTheColourSchemeIsRemembered() {
        browserLogin(ADMIN, ADMIN_PASSWORD);
        driver.manage().window().setSize(new Dimension(1366, 900));
        driver.get(url("/"));
        List<WebElement> top = driver.findElements(By.cssSelector("nav#nav > a, nav#nav > .nav-group > button, nav#nav > .logout"));
        assertThat(top).hasSizeGreaterThanOrEqualTo(7);
        int firstTop = top.get(0).getRect().getY();
        assertThat(top).as("every entry of the navigation on one line at 1366 px")
                .allSatisfy(e -> assertThat(Math.abs(e.getRect().getY() - firstTop)).isLessThanOrEqualTo(6));
        // the administration entries are in their group's menu, closed until asked for
        WebElement servers = driver.findElement(By.cssSelector("nav a[href='/servers']"));
        assertThat(servers.isDisplayed()).isFalse();
        WebElement admin = driver.findElement(By.cssSelector("button[aria-controls='nav-admin']"));
        admin.click();
        assertThat(admin.getAttribute("aria-expanded")).isEqualTo("true");
        assertThat(visible(By.cssSelector("nav a[href='/servers']")).isDisplayed()).isTrue();
        shot("nav-admin-menu");
        // Escape closes it and gives the focus back to its button; a click elsewhere closes another
        new org.openqa.selenium.interactions.Actions(driver).sendKeys(org.openqa.selenium.Keys.ESCAPE).perform();
        waitUpTo(5).until(d -> !d.findElement(By.cssSelector("nav a[href='/servers']")).isDisplayed());
        assertThat(driver.switchTo().activeElement().getAttribute("aria-controls")).isEqualTo("nav-admin");
        driver.findElement(By.cssSelector("button[aria-controls='nav-operate']")).click();
        visible(By.cssSelector("nav a[href='/environments']"));
        driver.findElement(By.tagName("h1")).click();
        waitUpTo(5).until(d -> !d.findElement(By.cssSelector("nav a[href='/environments']")).isDisplayed());
        // the group of the current page is marked
        driver.findElement(By.cssSelector("button[aria-controls='nav-deploy']")).click();
        visible(By.cssSelector("nav a[href='/rollouts']")).click();
        waitUpTo(10).until(d -> d.getCurrentUrl().endsWith("/rollouts"));
        assertThat(driver.findElement(By.cssSelector("button[aria-controls='nav-deploy']")).findElement(By.xpath(".."))
                .getAttribute("class")).contains("current");

        // dark, chosen here, holds on the next page; System gives the choice back to the system
        JavascriptExecutor js = (JavascriptExecutor) driver;
        new Select(driver.findElement(By.id("theme-switch"))).selectByValue("dark");
        assertThat(js.executeScript("return document.documentElement.dataset.theme")).isEqualTo("dark");
        assertThat(js.executeScript("return getComputedStyle(document.body).backgroundColor")).isEqualTo("rgb(11, 18, 32)");
        driver.get(url("/deployments"));
        visible(By.tagName("main"));
        assertThat(js.executeScript("return getComputedStyle(document.body).backgroundColor")).isEqualTo("rgb(11, 18, 32)");
        assertThat(new Select(driver.findElement(By.id("theme-switch"))).getFirstSelectedOption().getAttribute("value")).isEqualTo("dark");
        shot("theme-dark");
        new Select(driver.findElement(By.id("theme-switch"))).selectByValue("light");
        assertThat(js.executeScript("return getComputedStyle(document.body).backgroundColor")).isEqualTo("rgb(246, 247, 249)");
        new Select(driver.findElement(By.id("theme-switch"))).selectByValue("");
        assertThat(js.executeScript("return document.documentElement.hasAttribute('data-theme')")).isEqualTo(false);
        driver.navigate().refresh();
        assertThat(new Select(visible(By.id("theme-switch"))).getFirstSelectedOption().getAttribute("value")).isEmpty();
    }

    @Test
    void helpHistoryAndApiDocsRenderAndWorkOnAPhone() throws IOException {
        server("Phone check", "echo ok");
        browserLogin(ADMIN, ADMIN_PASSWORD);
        driver.get(url("/help"));
        String help = text(By.tagName("main"));
        assertThat(help).contains("From curl").contains("From a CI job").contains("GitHub").contains("Roles")
                .contains("Host key mismatch").contains("Permission denied").contains("TIMED_OUT")
                .contains(url("/api/deployments"));
        assertThat(help.toLowerCase()).doesNotContain("health monitor");
        shot("help");
        driver.get(url("/q/swagger-ui/"));
        waitUpTo(20).until(d -> d.getPageSource().contains("/api/deployments"));
        shot("api-docs");

        driver.manage().window().setSize(new Dimension(375, 812));
        for (String page : List.of("/", "/deployments", "/servers", "/services", "/analytics", "/insight", "/releases", "/notifications",
                "/account", "/schedules", "/environments", "/rollouts", "/help")) {
            driver.get(url(page));
            visible(By.tagName("main"));
            Number overflow = (Number) ((JavascriptExecutor) driver).executeScript(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
            Object wide = ((JavascriptExecutor) driver).executeScript("const w = document.documentElement.clientWidth;"
                    + "const clipped = e => { for (let p = e.parentElement; p; p = p.parentElement) {"
                    + " if (getComputedStyle(p).overflowX !== 'visible') return true; } return false; };"
                    + "return Array.from(document.querySelectorAll('body *'))"
                    + ".filter(e => e.getBoundingClientRect().right > w + 1 && !clipped(e))"
                    + ".slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id).join(', ');");
            assertThat(overflow.intValue()).as("horizontal overflow of %s at 375 px: %s", page, wide).isLessThanOrEqualTo(0);
            shot("phone" + (page.equals("/") ? "-dashboard" : page.replace('/', '-')));
        }
        // the menu opens from its button
        driver.get(url("/"));
        WebElement toggle = visible(By.cssSelector(".menu-toggle"));
        assertThat(driver.findElement(By.cssSelector("nav a[href='/help']")).isDisplayed()).isFalse();
        toggle.click();
        assertThat(visible(By.cssSelector("nav a[href='/help']")).isDisplayed()).isTrue();
        shot("phone-menu");
    }
}
