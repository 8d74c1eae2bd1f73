package io.triggerdeploy.chat;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** Slack slash commands ({@code TRIGGER_SLACK_*}). Without a signing secret the endpoint answers 404. */
@ConfigMapping(prefix = "trigger.slack")
public interface SlackConfig {

    /** The app's signing secret (Slack app settings → Basic Information); never logged. */
    Optional<String> signingSecret();

    /** How far a request's timestamp may be from now (Slack's own advice: 5 minutes). */
    @WithDefault("5m")
    Duration maxClockSkew();
}
