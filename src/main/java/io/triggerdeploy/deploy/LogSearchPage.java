package io.triggerdeploy.deploy;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * One page of log search hits, newest deployment first; pass {@code next_cursor} as {@code cursor} for the next page.
 * {@code indexed} says whether the trigram index answered (false: the lines were scanned).
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LogSearchPage(List<Item> items, String nextCursor, boolean indexed) {

    /** A matching line as stored (secrets masked), with up to {@code context} lines before and after it. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "LogSearchHit")
    public record Item(long deploymentId, String server, String status, String ref, int line, OffsetDateTime at, String stream,
                       String text, List<String> before, List<String> after, String url) {
    }
}
