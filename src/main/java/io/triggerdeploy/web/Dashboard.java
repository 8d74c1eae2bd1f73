package io.triggerdeploy.web;

import io.triggerdeploy.deploy.DeploymentView;
import io.triggerdeploy.monitor.WatchView;
import io.triggerdeploy.server.ServerView;

import java.util.List;

/** The dashboard's data: server cards with their last deployment, what runs now, what ran lately, what waits for my approval. */
public record Dashboard(List<Card> cards, List<DeploymentView> active, List<DeploymentView> recent,
                        List<WatchView> services, List<DeploymentView> awaitingMe) {

    public long servicesUp() {
        return services.stream().filter(s -> s.active() && "UP".equals(s.status())).count();
    }

    /** Active services that are not UP (DOWN, DEGRADED or not checked yet). */
    public List<WatchView> servicesNotUp() {
        return services.stream().filter(s -> s.active() && !"UP".equals(s.status())).toList();
    }

    public boolean noServices() {
        return servicesActive() == 0;
    }

    public long servicesActive() {
        return services.stream().filter(WatchView::active).count();
    }

    /**
     * One server, the release live there ({@code live}: its newest SUCCEEDED deployment) and its newest deployment
     * ({@code last}); each null when there is none. A failed or cancelled attempt never hides what runs.
     */
    public record Card(ServerView server, DeploymentView live, DeploymentView last) {
    }
}
