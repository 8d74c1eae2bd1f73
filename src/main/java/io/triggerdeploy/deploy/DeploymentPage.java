package io.triggerdeploy.deploy;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.List;

/** One page of history, newest first; pass {@code next_cursor} as {@code cursor} for the next page. */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeploymentPage(List<DeploymentView> items, Long nextCursor) {
}
