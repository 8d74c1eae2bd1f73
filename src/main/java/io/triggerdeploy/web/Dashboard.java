package io.triggerdeploy.web;

import io.triggerdeploy.deploy.DeploymentView;
import io.triggerdeploy.server.ServerView;

import java.util.List;

/** The dashboard's data: server cards with their last deployment, what runs now, what ran lately. */
public record Dashboard(List<Card> cards, List<DeploymentView> active, List<DeploymentView> recent) {

    /** One server and its newest deployment (null when it never deployed). */
    public record Card(ServerView server, DeploymentView last) {
    }
}
