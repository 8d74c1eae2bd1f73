package io.triggerdeploy.notify;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.deploy.DeploymentLifecycle;
import io.triggerdeploy.deploy.DeploymentStatus;
import io.triggerdeploy.deploy.DeploymentView;
import io.triggerdeploy.security.SecretBox;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import org.jboss.logging.Logger;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Writes deployments' status back to the forge their server or environment links to: on GitHub a Deployment with its
 * statuses (in_progress, then success, failure or error; the log link and the environment URL) and, for a REF that is
 * a commit SHA, a commit status ({@code trigger-deploy/<server>}: pending, then the outcome); on GitLab, for a commit
 * SHA, a commit status (running, then success, failed or canceled) and a deployment of the environment. Through the
 * notifications' address policy, each call retried like a notification (2 s, 8 s, ...; not after a 4xx other than
 * 429), after the deployment's own events: a forge that is down never slows or fails a deployment. The link's
 * {@code last_result} says how the last write went.
 */
@ApplicationScoped
public class ForgeWriter {

    static final String SECRET_NAME = "forge_link.token";
    private static final Logger LOG = Logger.getLogger(ForgeWriter.class);
    private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}");

    private final ForgeRepository repository;
    private final SecretBox secrets;
    private final ChannelAddressPolicy policy;
    private final NotifyConfig config;
    private final WebClient http;
    /** The forge's deployment id of a deployment in progress, by "deployment:link" (this replica ran its start). */
    private final Map<String, Long> started = new ConcurrentHashMap<>();

    public ForgeWriter(ForgeRepository repository, SecretBox secrets, ChannelAddressPolicy policy, NotifyConfig config, Vertx vertx) {
        this.repository = repository;
        this.secrets = secrets;
        this.policy = policy;
        this.config = config;
        this.http = WebClient.create(vertx, new WebClientOptions().setConnectTimeout((int) config.timeout().toMillis())
                .setFollowRedirects(false).setUserAgent("trigger-deploy"));
    }

    /** A refusal by the forge that another try would not change (a 4xx other than 429). */
    static final class Permanent extends RuntimeException {
        Permanent(String message) {
            super(message, null, false, false);
        }
    }

    void on(@ObservesAsync DeploymentLifecycle e) {
        DeploymentView d = e.deployment();
        if (d.ref() == null || d.ref().isBlank()) {
            return;
        }
        repository.forDeployment(d.serverId(), d.environment()).subscribe().with(links -> links.forEach(l -> write(e, l)),
                failure -> LOG.warnf("Could not read the forge links of deployment %d: %s", d.id(), failure.getMessage()));
    }

    private void write(DeploymentLifecycle e, ForgeRepository.Sealed l) {
        String token;
        try {
            token = secrets.open(SECRET_NAME, l.tokenSealed());
        } catch (RuntimeException failure) {
            repository.result(l.link().id(), "the token cannot be opened: " + failure.getMessage()).subscribe().with(x -> { }, x -> { });
            return;
        }
        Uni<Void> work = "github".equals(l.link().kind()) ? github(e, l.link(), token) : gitlab(e, l.link(), token);
        work.subscribe().with(ok -> repository.result(l.link().id(), null).subscribe().with(x -> { }, x -> { }), failure -> {
            LOG.warnf("Deployment %d's status to %s %s: %s", e.deploymentId(), l.link().kind(), l.link().repository(), failure.getMessage());
            repository.result(l.link().id(), failure.getMessage()).subscribe().with(x -> { }, x -> { });
        });
    }

    private Uni<Void> github(DeploymentLifecycle e, ForgeLink l, String token) {
        DeploymentView d = e.deployment();
        String repo = l.apiUrl().replaceAll("/+$", "") + "/repos/" + l.repository();
        String key = d.id() + ":" + l.id();
        boolean start = e.phase() == DeploymentLifecycle.Phase.STARTED;
        String state = start ? "in_progress" : switch (e.status()) {
            case SUCCEEDED -> "success";
            case FAILED, TIMED_OUT -> "failure";
            default -> "error";
        };
        Long known = start ? null : started.remove(key);
        Uni<Long> deployment = known != null ? Uni.createFrom().item(known)
                : call(HttpMethod.POST, repo + "/deployments", githubAuth(token), new JsonObject().put("ref", d.ref())
                        .put("environment", environment(d)).put("auto_merge", false).put("required_contexts", new JsonArray())
                        .put("description", "trigger-deploy #" + d.id() + " on " + d.server())
                        .put("payload", new JsonObject().put("deployment_id", d.id()).put("server", d.server())))
                .map(body -> body.getLong("id"));
        JsonObject status = new JsonObject().put("state", state).put("log_url", link(d)).put("description", describe(d, e.status(), start));
        if (l.environmentUrl() != null) {
            status.put("environment_url", l.environmentUrl());
        }
        Uni<Void> written = deployment.invoke(id -> {
            if (start) {
                started.put(key, id);
            }
        }).chain(id -> call(HttpMethod.POST, repo + "/deployments/" + id + "/statuses", githubAuth(token), status)).replaceWithVoid();
        if (!SHA.matcher(d.ref()).matches()) {
            return written;
        }
        String commitState = start ? "pending" : "in_progress".equals(state) ? "pending" : state;
        return written.chain(() -> call(HttpMethod.POST, repo + "/statuses/" + d.ref(), githubAuth(token), new JsonObject()
                .put("state", commitState).put("target_url", link(d)).put("description", describe(d, e.status(), start))
                .put("context", "trigger-deploy/" + d.server()))).replaceWithVoid();
    }

    private Uni<Void> gitlab(DeploymentLifecycle e, ForgeLink l, String token) {
        DeploymentView d = e.deployment();
        if (!SHA.matcher(d.ref()).matches()) {
            return Uni.createFrom().failure(new Permanent("REF " + d.ref() + " is not a commit SHA: GitLab's statuses and deployments need one"));
        }
        String project = l.apiUrl().replaceAll("/+$", "") + "/projects/" + URLEncoder.encode(l.repository(), StandardCharsets.UTF_8);
        String key = d.id() + ":" + l.id();
        boolean start = e.phase() == DeploymentLifecycle.Phase.STARTED;
        String state = start ? "running" : switch (e.status()) {
            case SUCCEEDED -> "success";
            case FAILED, TIMED_OUT, INTERRUPTED -> "failed";
            default -> "canceled";
        };
        Uni<Void> commit = call(HttpMethod.POST, project + "/statuses/" + d.ref(), Map.of("PRIVATE-TOKEN", token), new JsonObject()
                .put("state", state).put("name", "trigger-deploy/" + d.server()).put("target_url", link(d))
                .put("description", describe(d, e.status(), start))).replaceWithVoid();
        Long known = start ? null : started.remove(key);
        Uni<Long> deployment = known != null ? Uni.createFrom().item(known)
                : call(HttpMethod.POST, project + "/deployments", Map.of("PRIVATE-TOKEN", token), new JsonObject()
                        .put("environment", environment(d)).put("sha", d.ref()).put("ref", d.ref()).put("tag", false).put("status", "running"))
                        .map(body -> body.getLong("id"));
        return commit.chain(() -> deployment).chain(id -> {
            if (start) {
                started.put(key, id);
                return Uni.createFrom().voidItem();
            }
            return call(HttpMethod.PUT, project + "/deployments/" + id, Map.of("PRIVATE-TOKEN", token), new JsonObject().put("status", state))
                    .replaceWithVoid();
        });
    }

    private static Map<String, String> githubAuth(String token) {
        return Map.of("Authorization", "Bearer " + token, "Accept", "application/vnd.github+json", "X-GitHub-Api-Version", "2022-11-28");
    }

    private static String environment(DeploymentView d) {
        return d.environment() != null ? d.environment() : d.server();
    }

    private String link(DeploymentView d) {
        return config.publicUrl().map(u -> u.replaceAll("/+$", "")).orElse("") + "/deployments/" + d.id();
    }

    private static String describe(DeploymentView d, DeploymentStatus status, boolean start) {
        String text = start ? "Deploying " + d.ref() + " to " + d.server() : "Deployment #" + d.id() + " to " + d.server() + ": "
                + status.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
        return text.length() > 140 ? text.substring(0, 140) : text;
    }

    /** One call under the address policy (the connection goes to the checked address), retried unless refused for good. */
    private Uni<JsonObject> call(HttpMethod method, String url, Map<String, String> headers, JsonObject body) {
        return Uni.createFrom().deferred(() -> once(method, url, headers, body))
                .onFailure(f -> !(f instanceof Permanent)).retry().withBackOff(Duration.ofSeconds(2), Duration.ofSeconds(30))
                .atMost(Math.max(0, config.attempts() - 1));
    }

    private Uni<JsonObject> once(HttpMethod method, String url, Map<String, String> headers, JsonObject body) {
        URI u = URI.create(url);
        return policy.request(http, method, url, config.timeout().toMillis()).onFailure().transform(f -> new Permanent(f.getMessage())).chain(request -> {
            request.putHeader("Content-Type", "application/json");
            headers.forEach(request::putHeader);
            return request.sendBuffer(Buffer.buffer(body.encode()));
        }).map(r -> {
            if (r.statusCode() / 100 == 2) {
                try {
                    return r.body() == null || r.body().length() == 0 ? new JsonObject() : r.bodyAsJsonObject();
                } catch (RuntimeException notAnObject) {
                    return new JsonObject();
                }
            }
            String what = method + " " + u.getRawPath() + " answered " + r.statusCode();
            if (r.statusCode() / 100 == 4 && r.statusCode() != 429) {
                throw new Permanent(what);
            }
            throw new IllegalStateException(what);
        });
    }
}
