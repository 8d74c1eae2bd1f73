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

    void on(@ObservesAsync DeploymentLifecycle e) {
        if (!"slack".equals(e.deployment().source())) {
            return;
        }
        boolean started = e.phase() == DeploymentLifecycle.Phase.STARTED;
        repository.replyUrl(e.deploymentId()).chain(url -> url == null ? Uni.createFrom().voidItem()
                        : notifier.postJson(url, new JsonObject().put("response_type", "ephemeral").put("replace_original", false)
                        .put("text", commands.progress(e.deployment(), started))))
                .subscribe().with(v -> { }, f -> LOG.warnf("Could not post the progress of deployment %d to Slack: %s",
                        e.deploymentId(), f.getMessage()));
    }
}
