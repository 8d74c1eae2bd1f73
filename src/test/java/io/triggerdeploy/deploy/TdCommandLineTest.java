package io.triggerdeploy.deploy;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.triggerdeploy.cli.Td;
import io.triggerdeploy.support.Deploys;
import io.triggerdeploy.support.TcpForwarder;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code td} command line against the running service: the jar the service serves runs on a bare JVM and deploys
 * and follows; {@code --wait} waits through an approval; the exit codes say how it ended (failed, rejected, timed out,
 * bad input, not allowed, unreachable); a live stream dropped mid-way is resumed with no line lost or printed twice.
 */
@QuarkusTest
@TestProfile(Deploys.Profile.class)
class TdCommandLineTest extends DeployApiTest {

    /** One td run in this JVM: its exit code and what it printed. */
    record Run(int code, String out, String err) {
    }

    private Map<String, String> env(String token) {
        Map<String, String> env = new HashMap<>();
        env.put("TD_URL", "http://127.0.0.1:" + RestAssured.port);
        env.put("TD_TOKEN", token);
        return env;
    }

    private static Run td(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Td.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theServedJarRunsOnABareJvmAndDeploysAndFollows() throws Exception {
        byte[] jar = given().get("/cli/td.jar").then().statusCode(200).contentType("application/java-archive").extract().asByteArray();
        Path file = Files.createTempFile("td", ".jar");
        Files.write(file, jar);
        String alias = server(null, "echo \"deploying $REF\"; echo done");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", file.toString(),
                "deploy", alias, "--ref", "v1.2.3", "--wait", "--follow").redirectErrorStream(true);
        pb.environment().putAll(env(operator));
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("deploying v1.2.3").contains("done").contains(alias + " (v1.2.3) SUCCEEDED");
        // the wrapper script for people, and the jar's help without a service
        assertThat(given().get("/cli/td").then().statusCode(200).extract().asString()).startsWith("#!/bin/sh").contains("java");
        Process help = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", file.toString(), "--help")
                .redirectErrorStream(true).start();
        assertThat(new String(help.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).contains("Exit codes");
        assertThat(help.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(help.exitValue()).isZero();
    }

    /** The GitHub Action (src/github-action): its inputs reach the script through variables only, and the script deploys and follows. */
    @Test
    @SuppressWarnings("unchecked")
    void theGithubActionDeploysThroughItsScriptWithItsInputsAsVariables() throws Exception {
        Map<String, Object> action = new Yaml().load(Files.readString(Path.of("src/github-action/action.yml")));
        Map<String, Object> runs = (Map<String, Object>) action.get("runs");
        assertThat(runs.get("using")).isEqualTo("composite");
        Map<String, Object> step = ((List<Map<String, Object>>) runs.get("steps")).get(0);
        assertThat((String) step.get("run")).doesNotContain("${{");
        Map<String, String> stepEnv = (Map<String, String>) step.get("env");
        for (String input : ((Map<String, Object>) action.get("inputs")).keySet()) {
            assertThat(stepEnv.values()).as(input).contains("${{ inputs." + input + " }}");
        }

        String alias = server(null, "echo \"deploying $REF\"; echo done");
        Path temp = Files.createTempDirectory("runner");
        Path summary = temp.resolve("summary.md");
        ProcessBuilder pb = new ProcessBuilder("bash", Path.of("src/github-action/td-deploy.sh").toAbsolutePath().toString())
                .redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + System.getenv("PATH"));
        env.put("TD_URL", "http://127.0.0.1:" + RestAssured.port + "/");
        env.put("TD_TOKEN", operator);
        env.put("TD_SERVER", alias);
        env.put("TD_REF", "v2.0.0");
        env.put("TD_PARAMS", "");
        env.put("TD_WAIT", "true");
        env.put("TD_FOLLOW", "true");
        env.put("TD_TIMEOUT", "2m");
        env.put("TD_AUDIENCE", "");
        env.put("RUNNER_TEMP", temp.toString());
        env.put("GITHUB_STEP_SUMMARY", summary.toString());
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("deploying v2.0.0").contains("done");
        assertThat(Files.readString(summary)).contains(alias).contains("SUCCEEDED");
        try (var left = Files.list(temp)) {
            assertThat(left.map(f -> f.getFileName().toString()).toList()).as("the fetched jar is removed").containsExactly("summary.md");
        }
    }

    @Test
    void theExitCodeSaysHowItEnded() throws Exception {
        String failing = server(null, "echo about to fail; exit 3");
        Run failed = td(env(operator), "deploy", failing, "--wait");
        assertThat(failed.code()).as(failed.err()).isEqualTo(1);
        assertThat(failed.out()).contains("FAILED").doesNotContain("about to fail");

        Run unknown = td(env(operator), "deploy", "no-such-server-" + unique("x"), "--wait");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("HTTP 4");
        assertThat(td(env(viewer), "deploy", failing).code()).as("a viewer may not deploy").isEqualTo(7);
        assertThat(td(env("not-a-token"), "servers").code()).isEqualTo(7);
        Map<String, String> nowhere = env(operator);
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            nowhere.put("TD_URL", "http://127.0.0.1:" + s.getLocalPort()); // closed again: nothing listens there
        }
        Run unreachable = td(nowhere, "status", "1");
        assertThat(unreachable.code()).isEqualTo(7);
        assertThat(unreachable.err()).contains("cannot reach");
        assertThat(td(env(operator), "deploy").code()).as("no SERVER").isEqualTo(2);
        assertThat(td(env(operator), "deploy", failing, "--timeout", "soon").code()).isEqualTo(2);
        assertThat(td(Map.of(), "servers").err()).contains("TD_URL");
    }

    @Test
    void waitsThroughAnApprovalAndEndsRejectedOrTimedOut() throws Exception {
        String envName = environment(Map.of("required_approvals", 1));
        String alias = server(envName, "echo approved and deployed");
        String approver = approverToken();

        CompletableFuture<Run> waiting = CompletableFuture.supplyAsync(() -> td(env(operator), "deploy", alias, "--wait", "--follow"));
        long id = awaitingApproval(alias);
        assertThat(td(env(approver), "approve", String.valueOf(id), "--comment", "fine").code()).isZero();
        Run approved = waiting.get(60, TimeUnit.SECONDS);
        assertThat(approved.code()).as(approved.err()).isZero();
        assertThat(approved.err()).contains("waits for approval (0 of 1, environment " + envName);
        assertThat(approved.out()).contains("approved and deployed").contains("SUCCEEDED");

        CompletableFuture<Run> rejected = CompletableFuture.supplyAsync(() -> td(env(operator), "deploy", alias, "--wait"));
        long second = awaitingApproval(alias);
        assertThat(td(env(approver), "reject", String.valueOf(second)).code()).as("a rejection needs its reason").isEqualTo(2);
        assertThat(td(env(approver), "reject", String.valueOf(second), "--comment", "not today").code()).isZero();
        assertThat(rejected.get(60, TimeUnit.SECONDS).code()).isEqualTo(3);

        Run timedOut = td(env(operator), "deploy", alias, "--wait", "--timeout", "2s");
        assertThat(timedOut.code()).as(timedOut.err()).isEqualTo(6);
        assertThat(timedOut.err()).contains("is still AWAITING_APPROVAL after --timeout");
    }

    @Test
    void aDroppedStreamIsResumedWithNoLineLostOrDoubled() throws Exception {
        String alias = server(null, "i=1; while [ $i -le 40 ]; do echo \"line $i\"; sleep 0.05; i=$((i+1)); done");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (TcpForwarder flaky = new TcpForwarder(port, "127.0.0.1", RestAssured.port)) {
            flaky.open();
            Map<String, String> env = env(operator);
            env.put("TD_URL", "http://127.0.0.1:" + port);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> Td.run(new String[]{"deploy", alias, "--wait", "--follow"},
                    env, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)));
            await().atMost(Duration.ofSeconds(30)).until(() -> out.toString(StandardCharsets.UTF_8).contains("line 5\n"));
            flaky.dropConnections();
            assertThat(run.get(60, TimeUnit.SECONDS)).as(err.toString(StandardCharsets.UTF_8)).isZero();
            List<String> lines = new ArrayList<>(out.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("line ")).toList());
            assertThat(lines).containsExactlyElementsOf(IntStream.rangeClosed(1, 40).mapToObj(i -> "line " + i).toList());
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("resuming after line");
        }
    }

    @Test
    void aRolloutIsStartedAndFollowedToItsEnd() throws Exception {
        List<String> servers = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            servers.add(server(null, "echo \"rolled out $REF\""));
        }
        String group = unique("grp");
        given().auth().oauth2(admin).contentType("application/json").body(Map.of("name", group, "servers", servers))
                .post("/api/groups").then().statusCode(201);
        Run ok = td(env(operator), "rollout", "--group", group, "--strategy", "rolling", "--batch", "1", "--ref", "v2", "--wait", "--follow");
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("3 servers in 3 waves").contains(servers.get(2) + ": SUCCEEDED").contains("SUCCEEDED, wave");

        String broken = server(null, "exit 1");
        String mixed = unique("grp");
        given().auth().oauth2(admin).contentType("application/json").body(Map.of("name", mixed, "servers", List.of(broken, servers.get(0))))
                .post("/api/groups").then().statusCode(201);
        Run aborted = td(env(operator), "rollout", "--group", mixed, "--batch", "1", "--strategy", "rolling", "--on-breach", "abort",
                "--ref", "v3", "--wait");
        assertThat(aborted.code()).as(aborted.out() + aborted.err()).isEqualTo(5);
        assertThat(aborted.out()).contains("ABORTED");
        assertThat(td(env(operator), "rollout", "--ref", "v4").code()).as("no target").isEqualTo(2);
    }

    @Test
    void theHelpPageShowsCiJobsHowToFetchAndRunTd() {
        String session = given().contentType("application/x-www-form-urlencoded").formParam("username", ADMIN)
                .formParam("password", ADMIN_PASSWORD).redirects().follow(false).post("/login").then().statusCode(303)
                .extract().cookie("td_session");
        String help = given().cookie("td_session", session).get("/help").then().statusCode(200).extract().asString();
        assertThat(help).contains("curl -fsSLo td.jar http://").contains("/cli/td.jar").contains("--wait --follow")
                .contains("held by a freeze past the timeout");
    }

    private long awaitingApproval(String alias) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> {
            List<Number> ids = given().auth().oauth2(admin).get("/api/deployments?status=AWAITING_APPROVAL&server=" + alias).then()
                    .statusCode(200).extract().jsonPath().getList("items.id");
            return ids.isEmpty() ? null : ids.get(0).longValue();
        }, id -> id != null);
    }

    private String approverToken() {
        String name = unique("approver");
        createUser(admin, name, "approver-pass", "operator");
        return login(name, "approver-pass");
    }
}
