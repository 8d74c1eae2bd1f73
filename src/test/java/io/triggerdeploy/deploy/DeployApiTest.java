package io.triggerdeploy.deploy;

import io.triggerdeploy.support.ApiTest;
import io.triggerdeploy.support.TestSshServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import java.io.IOException;

/**
 * What the deployment tests share: the in-process SSH server their servers deploy to (the client key of
 * {@link DeploymentTest.Deploys}) and a fresh admin, operator and viewer for each test.
 */
abstract class DeployApiTest extends ApiTest {

    static TestSshServer sshd;
    String admin;
    String operator;
    String viewer;

    @BeforeAll
    static void startSshd() throws IOException {
        sshd = TestSshServer.start("deployer", DeploymentTest.CLIENT.getPublic());
    }

    @AfterAll
    static void stopSshd() throws IOException {
        sshd.close();
    }

    @BeforeEach
    void roleTokensForTheTest() {
        RoleTokens t = roleTokens();
        admin = t.admin();
        operator = t.operator();
        viewer = t.viewer();
    }
}
