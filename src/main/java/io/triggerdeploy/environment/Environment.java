package io.triggerdeploy.environment;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.vertx.mutiny.sqlclient.Row;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;

/**
 * An environment (e.g. staging, production) and the policy of its servers' deployments. {@code servers} lists the
 * aliases of the servers in it and {@code held_now} says why deployments are held at this moment, if they are.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Environment(long id, String name, String description,
                          @Schema(description = "Approvals by other people a deployment needs before it queues (0: none)")
                          int requiredApprovals,
                          @Schema(description = "Minutes a deployment waits for its approvals before it ends EXPIRED")
                          int approvalTimeoutMinutes,
                          @Schema(description = "Whether an operator may bypass approvals and freezes with a reason")
                          boolean breakGlass,
                          @Schema(description = "queue, reject or replace for all its servers (absent: each server's own)",
                                  enumeration = {"queue", "reject", "replace"}) String queuePolicy,
                          @Schema(description = "What a trigger inside a freeze or outside the deploy hours does: refuse (409) "
                                  + "or queue until it ends", enumeration = {"refuse", "queue"}) String freezeAction,
                          @Schema(description = "The time zone of the weekly freezes and the deploy hours") String timeZone,
                          List<Windows.Freeze> freezeWindows, List<Windows.Weekly> weeklyFreezes, Windows.Hours deployHours,
                          List<String> servers, Held heldNow, OffsetDateTime createdAt, OffsetDateTime updatedAt) {

    static final String COLUMNS = "id, name, description, required_approvals, approval_timeout_minutes, break_glass, "
            + "queue_policy, freeze_action, time_zone, windows::text AS windows, created_at, updated_at";
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    /** Why deployments are held now and until when. */
    @RegisterForReflection
    public record Held(String kind, String reason, OffsetDateTime until) {
    }

    /** {@link #COLUMNS} of the table aliased {@code alias}, each named with {@code prefix} (for a join). */
    public static String columns(String alias, String prefix) {
        StringBuilder sb = new StringBuilder();
        for (String c : List.of("id", "name", "description", "required_approvals", "approval_timeout_minutes", "break_glass",
                "queue_policy", "freeze_action", "time_zone", "windows", "created_at", "updated_at")) {
            sb.append(sb.isEmpty() ? "" : ", ").append(alias).append('.').append(c).append("windows".equals(c) ? "::text" : "")
                    .append(" AS ").append(prefix).append(c);
        }
        return sb.toString();
    }

    /** The environment of a row with {@link #COLUMNS} (prefixed columns {@code env_…} when {@code prefix} is set). */
    public static Environment of(Row r, String prefix) {
        return new Environment(r.getLong(prefix + "id"), r.getString(prefix + "name"), r.getString(prefix + "description"),
                r.getInteger(prefix + "required_approvals"), r.getInteger(prefix + "approval_timeout_minutes"),
                r.getBoolean(prefix + "break_glass"), r.getString(prefix + "queue_policy"), r.getString(prefix + "freeze_action"),
                r.getString(prefix + "time_zone"), null, null, null, null, null,
                r.getOffsetDateTime(prefix + "created_at"), r.getOffsetDateTime(prefix + "updated_at"))
                .withWindows(read(r.getString(prefix + "windows")));
    }

    /** The same environment with these windows. */
    Environment withWindows(Windows w) {
        return new Environment(id, name, description, requiredApprovals, approvalTimeoutMinutes, breakGlass, queuePolicy,
                freezeAction, timeZone, w.freezeWindows(), w.weeklyFreezes(), w.deployHours(), servers, heldNow, createdAt, updatedAt);
    }

    /** The same environment with its servers and what holds deployments at {@code now}. */
    Environment shown(List<String> serverAliases, Instant now) {
        Held held = blockAt(now).map(b -> new Held(b.kind(), b.reason(), b.until().atZone(zone()).toOffsetDateTime())).orElse(null);
        return new Environment(id, name, description, requiredApprovals, approvalTimeoutMinutes, breakGlass, queuePolicy,
                freezeAction, timeZone, freezeWindows, weeklyFreezes, deployHours, serverAliases, held, createdAt, updatedAt);
    }

    @JsonIgnore
    public Windows windows() {
        return new Windows(freezeWindows, weeklyFreezes, deployHours);
    }

    @JsonIgnore
    public ZoneId zone() {
        return ZoneId.of(timeZone);
    }

    /** What holds this environment's deployments at {@code now}, if anything. */
    public Optional<Windows.Block> blockAt(Instant now) {
        return windows().blockAt(now, zone());
    }

    /** When nothing holds them any more, from {@code now} on (null: the policy never opens). */
    public Instant clearAt(Instant now) {
        return windows().clearAt(now, zone());
    }

    /** Whether a trigger inside a freeze queues until it ends (else it is refused). */
    @JsonIgnore
    public boolean queuesThroughFreeze() {
        return "queue".equals(freezeAction);
    }

    static Windows read(String json) {
        if (json == null || json.isBlank()) {
            return Windows.NONE;
        }
        try {
            return JSON.readValue(json, Windows.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Stored windows of an environment are not readable: " + e.getOriginalMessage(), e);
        }
    }

    static String write(Windows w) {
        if (w.isEmpty()) {
            return null;
        }
        try {
            return JSON.writeValueAsString(w);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
