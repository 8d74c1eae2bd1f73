package io.triggerdeploy.deploy;

import io.quarkus.runtime.ShutdownEvent;
import io.triggerdeploy.access.AccessCache;
import io.triggerdeploy.db.DatasourceSettings;
import io.triggerdeploy.user.UserCache;
import io.vertx.core.Vertx;
import io.vertx.pgclient.pubsub.PgSubscriber;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.function.LongConsumer;

/**
 * The replica's one LISTEN connection: "the queue changed" wakes the dispatcher, "deployment N has new lines"
 * feeds the live streams, "cancel N" reaches the execution if it runs here, "user N changed" (sent by a database
 * trigger) drops that user from the {@link UserCache}. It reconnects by itself; while it is down, the dispatcher
 * polls, the streams poll and the user cache holds nothing.
 */
@ApplicationScoped
public class QueueListener {

    /** Sent by the trigger {@code users_changed} (changelog 0014) for every UPDATE or DELETE of a user row. */
    static final String USERS_CHANNEL = "trigger_users";

    /** Sent by the statement triggers of changelog 0024 when grants, teams, members, environments or servers change. */
    static final String ACCESS_CHANNEL = "trigger_access";
    private static final Logger LOG = Logger.getLogger(QueueListener.class);

    private final Vertx vertx;
    private final DatasourceSettings datasource;
    private final DeployEvents events;
    private final Dispatcher dispatcher;
    private final DeployConfig config;
    private final UserCache users;
    private final AccessCache access;
    private PgSubscriber subscriber;
    private final StreamReaders readers;

    public QueueListener(Vertx vertx, DatasourceSettings datasource, DeployEvents events, Dispatcher dispatcher,
                         DeployConfig config, UserCache users, AccessCache access, StreamReaders readers) {
        this.vertx = vertx;
        this.datasource = datasource;
        this.events = events;
        this.dispatcher = dispatcher;
        this.config = config;
        this.users = users;
        this.access = access;
        this.readers = readers;
    }

    void start() {
        // the policy is asked at each loss of the connection: from then on, notifications may be missed
        subscriber = PgSubscriber.subscriber(vertx, datasource.dedicated("listen")).reconnectPolicy(retries -> {
            users.listening(false);
            access.listening(false);
            return 1000L;
        });
        // subscribed (first connect and every reconnect): from now on, every change of a user row is heard
        subscriber.channel(USERS_CHANNEL).subscribeHandler(v -> users.listening(true))
                .handler(payload -> withId(payload, id -> {
                    users.changed(id);
                    readers.userChanged(id);
                }));
        subscriber.channel(ACCESS_CHANNEL).subscribeHandler(v -> access.listening(true)).handler(payload -> {
            access.changed();
            readers.accessChanged();
        });
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
        users.listening(false);
        access.listening(false);
        if (subscriber != null) {
            subscriber.close();
        }
    }
}
