package io.triggerdeploy.rollout;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.List;

/** A page of rollouts, newest first; {@code next_cursor} is the cursor of the following page (absent on the last). */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RolloutPage(List<RolloutView> items, Long nextCursor) {
}
