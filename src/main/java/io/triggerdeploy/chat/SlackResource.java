package io.triggerdeploy.chat;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.ClientAddress;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.common.Signatures;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code POST /api/chat/slack}: Slack slash commands. Each request must carry Slack's signature of its exact body
 * ({@code X-Slack-Signature: v0=HMAC-SHA256(signing secret, "v0:" + X-Slack-Request-Timestamp + ":" + body)}),
 * a timestamp within 5 minutes, and a signature not seen before (replays are refused on every replica). Without a
 * configured signing secret the endpoint does not exist (404). The answer is one ephemeral message, at once.
 */
@Path("/api/chat/slack")
@PermitAll
public class SlackResource {

    private final SlackConfig config;
    private final SlackCommands commands;

    /** What Slack posts for a slash command (the fields read here; Slack sends more, which are ignored). */
    @Schema(name = "SlackCommandForm")
    public record CommandForm(
            @Schema(required = true, pattern = "^[A-Z0-9]{1,32}$", description = "The Slack user who typed the command")
            String userId,
            @Schema(description = "The command as typed, e.g. /deploy", maxLength = 64) String command,
            @Schema(description = "Everything after the command: list, status <server>, deploy <server> [NAME=value …], "
                    + "cancel <id>, link, help", maxLength = 4000) String text,
            @Schema(pattern = "^https?://\\S{1,1990}$", description = "Where progress is posted later") String responseUrl) {
    }

    /** The one message Slack shows the person who typed the command. */
    @Schema(name = "SlackReply")
    public record Reply(@Schema(enumeration = "ephemeral") String responseType, String text) {
    }

    public SlackResource(SlackConfig config, SlackCommands commands) {
        this.config = config;
        this.commands = commands;
    }

    @POST
    @org.eclipse.microprofile.openapi.annotations.security.SecurityRequirements // authenticates itself (Slack's signature)
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "receiveSlackCommand", summary = "Slack slash command", description = "Signed by Slack with the app's signing secret; answers an "
            + "ephemeral message. 404 unless TRIGGER_SLACK_SIGNING_SECRET is set.")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_FORM_URLENCODED,
            schema = @Schema(implementation = CommandForm.class)))
    @APIResponseSchema(value = Reply.class, responseCode = "200", responseDescription = "The message for the person who typed it")
    @APIResponse(responseCode = "401", description = "The signature or its timestamp is missing, wrong, stale or replayed")
    public Uni<Reply> command(byte[] body, @HeaderParam("X-Slack-Request-Timestamp") String timestamp,
                                   @HeaderParam("X-Slack-Signature") String signature, @Context HttpServerRequest http) {
        String secret = config.signingSecret().filter(s -> !s.isBlank())
                .orElseThrow(() -> ProblemException.notFound("Slack commands are not configured here"));
        verify(secret, timestamp, signature, body);
        Map<String, String> form = form(body);
        String slackUser = form.getOrDefault("user_id", "");
        if (!slackUser.matches("[A-Z0-9]{1,32}")) {
            throw ProblemException.invalid("user_id", "is not a Slack user id");
        }
        String responseUrl = form.get("response_url");
        if (responseUrl != null && !responseUrl.matches("https?://[^\\s]{1,1990}")) {
            throw ProblemException.invalid("response_url", "must be an http(s) URL");
        }
        String ip = ClientAddress.of(http);
        SlackCommands.Invocation in = new SlackCommands.Invocation(slackUser, form.get("command"), form.getOrDefault("text", ""),
                responseUrl, ip);
        return commands.receive(replayKey(signature), in)
                .map(text -> new Reply("ephemeral", text));
    }

    /**
     * What a replay is recognised by: the MAC itself, whatever way its hex is written (any case, any spaces around it),
     * so a re-cased copy of a request is the same request. Only called once the signature verified.
     */
    static String replayKey(String signature) {
        String hex = signature.trim().substring(3).trim();
        return "v0=" + java.util.HexFormat.of().formatHex(java.util.HexFormat.of().parseHex(hex));
    }

    /** 401 unless the timestamp is recent and the signature is Slack's for this body. */
    void verify(String secret, String timestamp, String signature, byte[] body) {
        long ts;
        try {
            ts = Long.parseLong(timestamp == null ? "" : timestamp.trim());
        } catch (NumberFormatException e) {
            throw new ProblemException(401, "Unauthorized", "X-Slack-Request-Timestamp is missing or not a number");
        }
        if (Math.abs(Instant.now().getEpochSecond() - ts) > config.maxClockSkew().toSeconds()) {
            throw new ProblemException(401, "Unauthorized", "X-Slack-Request-Timestamp is more than "
                    + config.maxClockSkew().toMinutes() + " minutes from now");
        }
        if (signature == null || !signature.trim().startsWith("v0=") || !Signatures.hmacMatches("sha256", secret,
                signed(ts, body), signature)) {
            throw new ProblemException(401, "Unauthorized", "X-Slack-Signature does not match the request");
        }
    }

    /** What Slack signs: {@code v0:<timestamp>:<body>}. */
    static byte[] signed(long timestamp, byte[] body) {
        byte[] prefix = ("v0:" + timestamp + ":").getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[prefix.length + body.length];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        System.arraycopy(body, 0, out, prefix.length, body.length);
        return out;
    }

    static Map<String, String> form(byte[] body) {
        Map<String, String> out = new HashMap<>();
        for (String pair : new String(body, StandardCharsets.UTF_8).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                try {
                    out.putIfAbsent(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    throw ProblemException.badRequest("The form body is not URL-encoded");
                }
            }
        }
        return out;
    }
}
