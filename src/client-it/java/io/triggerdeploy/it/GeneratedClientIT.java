package io.triggerdeploy.it;

import io.triggerdeploy.client.ApiClient;
import io.triggerdeploy.client.ApiException;
import io.triggerdeploy.client.api.DeploymentsApi;
import io.triggerdeploy.client.api.FleetApi;
import io.triggerdeploy.client.api.LoginApi;
import io.triggerdeploy.client.api.SearchApi;
import io.triggerdeploy.client.api.ServersApi;
import io.triggerdeploy.client.model.CreateServerRequest;
import io.triggerdeploy.client.model.DeploymentStatus;
import io.triggerdeploy.client.model.DeploymentView;
import io.triggerdeploy.client.model.FleetView;
import io.triggerdeploy.client.model.LogSearchHit;
import io.triggerdeploy.client.model.LoginRequest;
import io.triggerdeploy.client.model.ServerView;
import io.triggerdeploy.client.model.TriggerRequest;
import io.triggerdeploy.support.TestDatabases;
import io.triggerdeploy.support.TestSshServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a CI author does: generate a Java client from the service's own API document (the build's
 * {@code target/openapi/openapi.json}, with openapi-generator's {@code java}/{@code native} generator, unedited), and
 * drive a deployment with it against the packaged jar: log in, register a server, list servers, trigger, follow,
 * cancel, see what runs where, read the history and search the logs. Every call goes through the generated methods and models.
 */
class GeneratedClientIT {

    private static final String PASSWORD = "generated-client-admin";

    private static String db;
    private static Path dir;
    private static TestSshServer sshd;
    private static JarProcess app;

    @BeforeAll
    static void start() throws Exception {
        db = TestDatabases.create("td_it_client");
        dir = Files.createTempDirectory("generated-client");
        KeyPair client = TestSshServer.ecKeyPair();
        Path key = TestSshServer.writePrivateKey(dir, "client_key", client);
        sshd = TestSshServer.start("deployer", client.getPublic());
        byte[] raw = new byte[32];
        new java.security.SecureRandom().nextBytes(raw);
        Files.writeString(dir.resolve("secrets.key"), Base64.getEncoder().encodeToString(raw));
        app = JarProcess.start("generated-client", db, Map.of("TRIGGER_ADMIN_PASSWORD", PASSWORD,
                "TRIGGER_SSH_PRIVATE_KEY_FILE", key.toString(),
                "TRIGGER_SECRETS_KEY_FILE", dir.resolve("secrets.key").toString(),
                "TRIGGER_DEPLOY_POLL_INTERVAL", "1s"));
        assertThat(app.awaitStatus("/q/health/ready", 200, Duration.ofSeconds(120))).as(app.output()).isTrue();
    }

    @AfterAll
    static void stop() throws Exception {
        if (app != null) {
            app.close();
        }
        if (sshd != null) {
            sshd.close();
        }
        if (db != null) {
            TestDatabases.drop(db);
        }
    }

    @Test
    void aCiFlowRunsThroughTheGeneratedClient() throws Exception {
        ApiClient api = new ApiClient();
        api.updateBaseUri("http://127.0.0.1:" + app.port);
        api.setReadTimeout(Duration.ofSeconds(30));

        String token = new LoginApi(api).login(new LoginRequest().username("admin").password(PASSWORD)).getToken();
        assertThat(token).isNotBlank();
        api.setRequestInterceptor(request -> request.header("Authorization", "Bearer " + token));

        Path work = Files.createDirectories(dir.resolve("app"));
        Files.writeString(work.resolve("deploy.sh"), "#!/bin/sh\necho \"generated-client deploying ${TD_REF:-main}\"\n"
                + "if [ -f slow ]; then rm slow; sleep 60; fi\n");
        work.resolve("deploy.sh").toFile().setExecutable(true);
        ServersApi servers = new ServersApi(api);
        ServerView created = servers.createServer(new CreateServerRequest().name("Generated web").alias("gen-web")
                .host("127.0.0.1").port(sshd.port()).user("deployer").path(work.toString()).hostKey(sshd.hostKeyLine())
                .labels(Map.of("role", "web")));
        assertThat(created.getId()).isPositive();
        assertThat(created.getAlias()).isEqualTo("gen-web");
        assertThat(servers.listServers(null)).extracting(ServerView::getAlias).contains("gen-web");
        assertThat(servers.listServers("role=web")).extracting(ServerView::getAlias).containsExactly("gen-web");

        DeploymentsApi deployments = new DeploymentsApi(api);
        DeploymentView first = deployments.triggerDeployment(new TriggerRequest().server("gen-web").note("from a generated client")
                .parameters(Map.of("REF", "v1")));
        assertThat(first.getStatus()).isIn(DeploymentStatus.QUEUED, DeploymentStatus.RUNNING);
        DeploymentView done = await(deployments, first.getId(), Set.of(DeploymentStatus.SUCCEEDED, DeploymentStatus.FAILED));
        assertThat(done.getStatus()).as(deployments.getDeploymentLog(first.getId())).isEqualTo(DeploymentStatus.SUCCEEDED);
        assertThat(done.getExitCode()).isZero();
        assertThat(deployments.getDeploymentLog(first.getId())).contains("generated-client deploying");

        // a slow one, cancelled while it runs
        Files.writeString(work.resolve("slow"), "");
        DeploymentView second = deployments.triggerDeployment(new TriggerRequest().server("gen-web"));
        await(deployments, second.getId(), Set.of(DeploymentStatus.RUNNING));
        DeploymentView cancelling = deployments.cancelDeployment(second.getId());
        assertThat(cancelling.getId()).isEqualTo(second.getId());
        assertThat(await(deployments, second.getId(), Set.of(DeploymentStatus.CANCELLED, DeploymentStatus.SUCCEEDED,
                DeploymentStatus.FAILED)).getStatus()).isEqualTo(DeploymentStatus.CANCELLED);

        // what runs where: the cancelled attempt does not hide the release that runs
        FleetView fleet = new FleetApi(api).getFleet(null, null, "role=web");
        assertThat(fleet.getSummary()).isEqualTo("converged on v1");
        assertThat(fleet.getServers()).singleElement().satisfies(m -> {
            assertThat(m.getRef()).isEqualTo("v1");
            assertThat(m.getLatest().getStatus()).isEqualTo(DeploymentStatus.CANCELLED);
        });

        List<DeploymentView> history = deployments.listDeployments(null, null, 10, null, "gen-web", null, null, null).getItems();
        assertThat(history).extracting(DeploymentView::getId).containsExactly(second.getId(), first.getId());

        List<LogSearchHit> hits = new SearchApi(api).searchLogs("generated-client", null, null, null, null, null, "gen-web",
                null, null).getItems();
        assertThat(hits).isNotEmpty().allSatisfy(h -> assertThat(h.getText()).contains("generated-client"));
        assertThat(hits).extracting(LogSearchHit::getDeploymentId).contains(first.getId());

        // errors come back as exceptions carrying the status and the problem document
        assertThatThrownBy(() -> deployments.getDeployment(987_654_321L)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.getCode()).isEqualTo(404);
            assertThat(e.getResponseBody()).contains("\"status\":404");
        });
    }

    private static DeploymentView await(DeploymentsApi deployments, long id, Set<DeploymentStatus> wanted) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        DeploymentView d = deployments.getDeployment(id);
        while (!wanted.contains(d.getStatus()) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            d = deployments.getDeployment(id);
        }
        assertThat(d.getStatus()).as("deployment " + id).isIn(wanted);
        return d;
    }
}
