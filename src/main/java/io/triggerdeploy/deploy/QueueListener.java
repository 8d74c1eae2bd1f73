package io.triggerdeploy.deploy;

import io.quarkus.runtime.ShutdownEvent;
import io.triggerdeploy.db.DatasourceSettings;
import io.vertx.core.Vertx;
import io.vertx.pgclient.pubsub.PgSubscriber;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.function.LongConsumer;

/**
 * The replica's one LISTEN connection: "the queue changed" wakes the dispatcher, "deployment N has new lines"
 * feeds the live streams, "cancel N" reaches the execution if it runs here. It reconnects by itself; while it is
 * down, the dispatcher polls and the streams poll.
 */
@ApplicationScoped
public class QueueListener {

    private static final Logger LOG = Logger.getLogger(QueueListener.class);

    private final Vertx vertx;
    private final DatasourceSettings datasource;
    private final DeployEvents events;
    private final Dispatcher dispatcher;
    private final DeployConfig config;
    private PgSubscriber subscriber;

    public QueueListener(Vertx vertx, DatasourceSettings datasource, DeployEvents events, Dispatcher dispatcher,
                         DeployConfig config) {
        this.vertx = vertx;
        this.datasource = datasource;
        this.events = events;
        this.dispatcher = dispatcher;
        this.config = config;
    }

    void start() {
        subscriber = PgSubscriber.subscriber(vertx, datasource.dedicated("listen")).reconnectPolicy(retries -> 1000L);
        subscriber.channel(DeploymentRepository.QUEUE_CHANNEL).handler(payload -> dispatcher.wake());
        subscriber.channel(DeploymentRepository.LOG_CHANNEL).handler(payload -> withId(payload, events::publish));
        subscriber.channel(DeploymentRepository.CANCEL_CHANNEL).handler(payload -> withId(payload, dispatcher::cancelLocal));
        subscriber.connect().onFailure(e -> LOG.warnf("LISTEN connection failed (%s); polling every %d ms instead",
                e.getMessage(), config.pollInterval().toMillis()));
    }

    private static void withId(String payload, LongConsumer action) {
        try {
            action.accept(Long.parseLong(payload));
        } catch (NumberFormatException ignored) {
            // not ours
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (subscriber != null) {
            subscriber.close();
        }
    }
}
