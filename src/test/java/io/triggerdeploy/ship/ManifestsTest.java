package io.triggerdeploy.ship;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The Kubernetes manifests and the compose file are valid objects with the fields a cluster requires. */
class ManifestsTest {

    static final Path K8S = Path.of("docker/k8s");

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o, String what) {
        assertThat(o).as(what).isInstanceOf(Map.class);
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o, String what) {
        assertThat(o).as(what).isInstanceOf(List.class);
        return (List<Object>) o;
    }

    static Object at(Map<String, Object> root, String path) {
        Object cur = root;
        for (String part : path.split("\\.")) {
            if (!(cur instanceof Map<?, ?> m)) {
                return null;
            }
            cur = m.get(part);
        }
        return cur;
    }

    static List<Map<String, Object>> load(Path file) throws IOException {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (Object doc : new Yaml().loadAll(Files.readString(file))) {
            if (doc != null) {
                docs.add(map(doc, file.toString()));
            }
        }
        return docs;
    }

    @Test
    void everyManifestIsAKubernetesObjectAndTheKustomizationListsThemAll() throws IOException {
        Map<String, Object> kustomization = load(K8S.resolve("kustomization.yaml")).get(0);
        List<Object> resources = list(kustomization.get("resources"), "resources");
        try (var files = Files.list(K8S)) {
            List<String> yamls = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml")).toList();
            assertThat(resources).containsExactlyInAnyOrderElementsOf(yamls);
        }
        Map<String, Map<String, Object>> byKindName = new HashMap<>();
        for (Object r : resources) {
            for (Map<String, Object> doc : load(K8S.resolve((String) r))) {
                assertThat(doc.get("apiVersion")).as(r + " apiVersion").isInstanceOf(String.class);
                assertThat(doc.get("kind")).as(r + " kind").isInstanceOf(String.class);
                String name = (String) at(doc, "metadata.name");
                assertThat(name).as(r + " metadata.name").matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
                byKindName.put(doc.get("kind") + "/" + name, doc);
                if (List.of("Deployment", "StatefulSet").contains(doc.get("kind"))) {
                    checkWorkload(doc);
                }
            }
        }
        assertThat(byKindName).containsKeys("Deployment/trigger-deploy", "Service/trigger-deploy", "ConfigMap/trigger-deploy-config",
                "Secret/trigger-deploy-secrets", "StatefulSet/trigger-deploy-postgres", "Service/trigger-deploy-postgres");
        checkApp(byKindName);
        checkKeysAreGeneratedNotCommitted(kustomization, byKindName);
    }

    private static void checkWorkload(Map<String, Object> doc) {
        Map<String, Object> selector = map(at(doc, "spec.selector.matchLabels"), "selector");
        Map<String, Object> labels = map(at(doc, "spec.template.metadata.labels"), "template labels");
        assertThat(labels).as("template labels match the selector").containsAllEntriesOf(selector);
        for (Object c : list(at(doc, "spec.template.spec.containers"), "containers")) {
            Map<String, Object> container = map(c, "container");
            assertThat(container.get("name")).isInstanceOf(String.class);
            assertThat(container.get("image")).isInstanceOf(String.class);
            assertThat(container).containsKeys("resources", "readinessProbe", "livenessProbe");
        }
        assertThat(at(doc, "spec.template.spec.securityContext.runAsNonRoot")).isEqualTo(true);
    }

    private static void checkApp(Map<String, Map<String, Object>> objects) {
        Map<String, Object> deployment = objects.get("Deployment/trigger-deploy");
        assertThat(at(deployment, "spec.replicas")).isEqualTo(3);
        Map<String, Object> c = map(list(at(deployment, "spec.template.spec.containers"), "containers").get(0), "container");
        assertThat(at(c, "livenessProbe.httpGet.path")).isEqualTo("/q/health/live");
        assertThat(at(c, "readinessProbe.httpGet.path")).isEqualTo("/q/health/ready");
        int startupHeadroom = (Integer) at(c, "startupProbe.periodSeconds") * (Integer) at(c, "startupProbe.failureThreshold");
        Map<String, Object> config = map(at(objects.get("ConfigMap/trigger-deploy-config"), "data"), "configmap data");
        int dbWait = Integer.parseInt(((String) config.get("TRIGGER_DB_STARTUP_TIMEOUT")).replace("s", ""));
        assertThat(startupHeadroom).as("startup probe outlasts the database wait").isGreaterThan(dbWait + 30);
        assertThat(at(c, "resources.requests.memory")).isNotNull();
        assertThat(at(c, "resources.limits.memory")).isNotNull();
        assertThat(at(c, "securityContext.allowPrivilegeEscalation")).isEqualTo(false);
        int grace = (Integer) at(deployment, "spec.template.spec.terminationGracePeriodSeconds");
        int shutdownGrace = Integer.parseInt(((String) config.get("TRIGGER_DEPLOY_SHUTDOWN_GRACE")).replace("s", ""));
        assertThat(grace).as("pods get longer than the deploy shutdown grace").isGreaterThan(shutdownGrace + 5);
        int port = (Integer) map(list(c.get("ports"), "ports").get(0), "port").get("containerPort");
        assertThat(port).isEqualTo(3111);
        // every secret and key the deployment refers to exists
        for (Object e : list(c.get("env"), "env")) {
            Object ref = at(map(e, "env"), "valueFrom.secretKeyRef");
            if (ref != null) {
                Map<String, Object> r = map(ref, "secretKeyRef");
                Map<String, Object> secret = objects.get("Secret/" + r.get("name"));
                assertThat(secret).as("secret " + r.get("name")).isNotNull();
                assertThat(map(secret.get("stringData"), "stringData")).containsKey((String) r.get("key"));
            }
        }
        Map<String, Object> service = objects.get("Service/trigger-deploy");
        assertThat(map(at(deployment, "spec.template.metadata.labels"), "labels"))
                .containsAllEntriesOf(map(at(service, "spec.selector"), "service selector"));
        assertThat(map(list(at(service, "spec.ports"), "ports").get(0), "port").get("targetPort")).isEqualTo("http");
        assertThat(config.get("TRIGGER_SSH_PRIVATE_KEY_FILE")).asString().startsWith("/etc/trigger-deploy/ssh/");
    }

    /** The SSH key Secret comes from a git-ignored file through a secretGenerator; no key material in git. */
    private static void checkKeysAreGeneratedNotCommitted(Map<String, Object> kustomization,
                                                          Map<String, Map<String, Object>> objects) throws IOException {
        Map<String, Object> generator = map(list(kustomization.get("secretGenerator"), "secretGenerator").get(0), "generator");
        assertThat(generator.get("name")).isEqualTo("trigger-deploy-ssh");
        assertThat(at(generator, "options.disableNameSuffixHash")).isEqualTo(true);
        String file = String.valueOf(list(generator.get("files"), "files").get(0));
        assertThat(file).isEqualTo("id_ed25519=keys/id_ed25519");
        assertThat(Files.readAllLines(K8S.resolve("keys/.gitignore"))).contains("*");
        Map<String, Object> deployment = objects.get("Deployment/trigger-deploy");
        assertThat(list(at(deployment, "spec.template.spec.volumes"), "volumes").stream()
                .map(v -> at(map(v, "volume"), "secret.secretName"))).contains("trigger-deploy-ssh");
        try (var files = Files.walk(Path.of("docker"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertThat(Files.readString(f)).as(f.toString()).doesNotContain("PRIVATE KEY-----");
            }
        }
    }

    @Test
    void composeRunsThreeReplicasOnOnePostgresWithRealHealthChecks() throws IOException {
        Map<String, Object> compose = load(Path.of("docker/compose.yaml")).get(0);
        Map<String, Object> services = map(compose.get("services"), "services");
        assertThat(services).containsKeys("postgres", "app", "ssh-target");
        Map<String, Object> app = map(services.get("app"), "app");
        assertThat(at(app, "deploy.replicas")).isEqualTo(3);
        assertThat(String.join(" ", list(at(app, "healthcheck.test"), "healthcheck").stream().map(String::valueOf).toList()))
                .contains("curl -fsS http://localhost:3111/q/health/ready").doesNotContain("-X").doesNotContain("POST");
        assertThat(list(app.get("volumes"), "volumes").stream().map(String::valueOf))
                .anySatisfy(v -> assertThat(v).contains("id_ed25519:").endsWith(":ro"));
        assertThat(map(app.get("environment"), "environment")).containsKeys("POSTGRES_HOST", "TRIGGER_SSH_PRIVATE_KEY_FILE");
        assertThat(at(map(services.get("postgres"), "postgres"), "image")).isEqualTo("postgres:15");
        assertThat(Path.of("docker/Dockerfile.jvm")).exists();
        assertThat(Files.readString(Path.of("docker/Dockerfile.jvm"))).contains("EXPOSE 3111").contains("USER 185");
        assertThat(Files.readString(Path.of("docker/Dockerfile.native"))).contains("EXPOSE 3111").contains("USER 1001");
    }
}
