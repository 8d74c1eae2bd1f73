package io.triggerdeploy.common;

import io.quarkus.smallrye.openapi.OpenApiFilter;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Groups the API document's operations by what they act on, named as the API names it ({@code servers},
 * {@code deployments}, {@code me}: the first segment after {@code /api/}), not by the Java class that serves them
 * ("Server Resource"); client generators make one API class per tag. The old tool's routes stay together as
 * {@code legacy}, webhook deliveries as {@code hooks}. Runs when the jar is built.
 */
@OpenApiFilter(stages = OpenApiFilter.RunStage.BUILD)
public class TagsFilter implements OASFilter {

    private static final String LEGACY = "legacy";

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        Map<String, Boolean> used = new TreeMap<>();
        openAPI.getPaths().getPathItems().forEach((path, item) -> item.getOperations().values().forEach(op -> {
            String tag = tagOf(path, op);
            op.setTags(new ArrayList<>(List.of(tag)));
            used.put(tag, Boolean.TRUE);
        }));
        openAPI.setTags(new ArrayList<>(used.keySet().stream().map(t -> OASFactory.createTag().name(t)).toList()));
    }

    static String tagOf(String path, Operation op) {
        boolean legacy = op.getTags() != null && op.getTags().stream().anyMatch(t -> t.toLowerCase().startsWith(LEGACY));
        String[] segments = path.replaceAll("^/+", "").split("/");
        if (legacy || !segments[0].equals("api")) {
            return segments[0].equals("hooks") ? "hooks" : LEGACY;
        }
        if (segments.length > 2 && segments[1].equals("admin")) {
            return segments[2];
        }
        return segments.length > 1 ? segments[1] : "api";
    }
}
