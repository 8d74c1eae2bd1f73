package io.triggerdeploy.chat;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.Periodic;
import io.triggerdeploy.db.BootstrapStep;
import io.triggerdeploy.deploy.DeploymentLifecycle;
import io.triggerdeploy.notify.Notifier;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Posts the start and end of a deployment queued from Slack to the command's {@code response_url}, from the replica
 * that runs it (lifecycle events fire there only), through the notification channels' address policy; and forgets,
 * every few minutes, what Slack needs no longer.
 */
@ApplicationScoped
public class SlackReplies implements BootstrapStep {

    private static final Logger LOG = Logger.getLogger(SlackReplies.class);

    private final SlackRepository repository;
    private final SlackCommands commands;
    private final Notifier notifier;
    private final Periodic periodic;
    private final SlackConfig config;
    private final Map<Long, Posts> posts = new HashMap<>();

    public SlackReplies(SlackRepository repository, SlackCommands commands, Notifier notifier, Periodic periodic, SlackConfig config) {
        this.repository = repository;
        this.commands = commands;
        this.notifier = notifier;
        this.periodic = periodic;
        this.config = config;
    }

    @Override
    public int order() {
        return 33;
    }

    @Override
    public void run() {
        long keep = config.maxClockSkew().toSeconds() * 2 + 60; // a replay older than this is refused by its timestamp
        periodic.every("Slack housekeeping", Duration.ofMinutes(1), Duration.ofMinutes(5), () -> repository.sweep(keep));
    }

    /**
     * The start and the end are posted one after the other, in that order: lifecycle events are delivered on their own
     * threads, and a short deployment's end may be observed (and its post sent) before its start. An end seen first posts
     * the start first; a start seen after its end is dropped.
     */
    void on(@ObservesAsync DeploymentLifecycle e) {
        if (!"slack".equals(e.deployment().source())) {
            return;
        }
        long id = e.deploymentId();
        synchronized (posts) {
            Posts p = posts.computeIfAbsent(id, k -> new Posts());
            if (e.phase() == DeploymentLifecycle.Phase.STARTED && p.started) {
                return;
            }
            if (!p.started) {
                p.started = true;
                p.tail = p.tail.thenCompose(x -> post(e, true));
            }
            if (e.phase() == DeploymentLifecycle.Phase.FINISHED) {
                p.tail = p.tail.thenCompose(x -> post(e, false)).whenComplete((x, f) -> {
                    synchronized (posts) {
                        posts.remove(id);
                    }
                });
            }
        }
    }

    /** The posts of one deployment so far: whether its start is sent (or on its way), and the last post. */
    private static final class Posts {
        boolean started;
        CompletionStage<Void> tail = CompletableFuture.completedFuture(null);
    }

    private CompletionStage<Void> post(DeploymentLifecycle e, boolean started) {
        return repository.replyUrl(e.deploymentId()).chain(url -> url == null ? Uni.createFrom().voidItem()
                        : notifier.postJson(url, new JsonObject().put("response_type", "ephemeral").put("replace_original", false)
                        .put("text", commands.progress(e.deployment(), started))))
                .onFailure().invoke(f -> LOG.warnf("Could not post the progress of deployment %d to Slack: %s", e.deploymentId(),
                        f.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid().subscribeAsCompletionStage();
    }
}
