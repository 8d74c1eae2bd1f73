package io.triggerdeploy.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Starts a {@link TestKeycloak} and points {@code trigger.auth.oidc.*} at its realm (the secret from a file). */
public class KeycloakTestResource implements QuarkusTestResourceLifecycleManager {

    private static volatile TestKeycloak keycloak;

    public static TestKeycloak keycloak() {
        return keycloak;
    }

    @Override
    public Map<String, String> start() {
        try {
            keycloak = TestKeycloak.start();
            Path secret = Files.createTempFile("td-oidc-secret", "");
            Files.writeString(secret, TestKeycloak.CLIENT_SECRET + "\n");
            secret.toFile().deleteOnExit();
            return Map.of(
                    "trigger.auth.oidc.issuer", keycloak.issuer(),
                    "trigger.auth.oidc.client-id", TestKeycloak.CLIENT_ID,
                    "trigger.auth.oidc.client-secret-file", secret.toString(),
                    "trigger.auth.oidc.display-name", "Keycloak",
                    "trigger.auth.oidc.bearer", "true",
                    "trigger.auth.oidc.timeout", "3s");
        } catch (Exception e) {
            throw new IllegalStateException("Could not start Keycloak", e);
        }
    }

    @Override
    public void stop() {
        if (keycloak != null) {
            try {
                keycloak.close();
            } catch (Exception e) {
                // the process goes with the test JVM
            }
        }
    }
}
