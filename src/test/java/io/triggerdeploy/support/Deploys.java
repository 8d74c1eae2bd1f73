package io.triggerdeploy.support;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;

/**
 * What the tests that run real deployments share: one SSH client key (its file in {@link #DIR}, where each test also
 * keeps its servers' working directories), a secrets key, a legacy token, Slack's signing secret, and one application
 * ({@link Profile}) for all of them: the deployment, step, schedule, policy, notification, Slack and browser tests.
 * Each test class starts its own SSH server for {@link #CLIENT}'s public key.
 */
public final class Deploys {

    public static final Path DIR;
    public static final KeyPair CLIENT = TestSshServer.ecKeyPair();
    public static final String LEGACY_TOKEN = "legacy-deploy-token-42";

    /** The signing secret of Slack's documented example. */
    public static final String SLACK_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";

    private Deploys() {
    }

    static {
        try {
            DIR = Files.createTempDirectory("deploys");
            TestSshServer.writePrivateKey(DIR, "client_key", CLIENT);
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            Files.writeString(DIR.resolve("secrets.key"), Base64.getEncoder().encodeToString(key));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A client key, a legacy token, a masked secret, short leases and polls, receivers allowed on 127.0.0.1 only. */
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.ofEntries(Map.entry("trigger.ssh.private-key-file", DIR.resolve("client_key").toString()),
                    Map.entry("trigger.secrets.key-file", DIR.resolve("secrets.key").toString()),
                    Map.entry("trigger.ssh.max-line-length", "1000"),
                    Map.entry("trigger.deploy.legacy-token", LEGACY_TOKEN),
                    Map.entry("trigger.deploy.mask", "hunter2-secret"),
                    Map.entry("trigger.deploy.lease", "6s"),
                    Map.entry("trigger.deploy.poll-interval", "1s"),
                    Map.entry("trigger.deploy.approval-expiry-interval", "1s"),
                    Map.entry("trigger.schedule.tick", "500ms"),
                    Map.entry("trigger.deploy.log-max-bytes", "200000"),
                    Map.entry("trigger.deploy.max-streams-per-user", "3"),
                    // a log search that waits this long is stopped (LogSearchTest holds a lock to make one wait)
                    Map.entry("trigger.deploy.search-timeout", "5s"),
                    // verify steps check watched services, and channels send, on loopback; 127.0.0.2 stays outside
                    Map.entry("trigger.monitor.allow-networks", "127.0.0.1/32"),
                    Map.entry("trigger.notify.allow-networks", "127.0.0.1/32"),
                    Map.entry("trigger.notify.public-url", "https://deploy.example.test/"),
                    Map.entry("trigger.notify.failed-log-lines", "3"),
                    Map.entry("trigger.slack.signing-secret", SLACK_SECRET));
        }
    }
}
