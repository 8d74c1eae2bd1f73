package io.triggerdeploy.chat;

import io.quarkus.runtime.annotations.RegisterForReflection;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A Slack user's link to the trigger-deploy user it acts as. */
@RegisterForReflection
@Schema(name = "Link") // the API document's name for it
public record SlackLink(String slackUserId, long userId, String username, String linkedBy) {
}
