package io.triggerdeploy.common;

import io.quarkus.smallrye.openapi.OpenApiFilter;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.media.Schema;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Writes the request constraints into the API document as they are enforced. Bean Validation's {@code @Pattern} matches
 * the whole value, a JSON Schema {@code pattern} any part of it: each pattern is anchored, and a choice of plain words
 * ({@code queue|reject|replace}) becomes an {@code enum}, which client generators turn into a type. Runs when the jar is
 * built.
 */
@OpenApiFilter(stages = OpenApiFilter.RunStage.BUILD)
public class ConstraintsFilter implements OASFilter {

    private static final String NOT_BLANK = "\\S";
    private static final Pattern WORDS = Pattern.compile("[A-Za-z0-9_.-]+(\\|[A-Za-z0-9_.-]+)+");

    @Override
    public Schema filterSchema(Schema schema) {
        if (schema.getRef() != null && schema.getType() != null) {
            // a property whose type is another schema (@Schema(implementation = ...)) is that schema: a "type" beside
            // the $ref would add a second, contradicting check in OpenAPI 3.1 ("object" beside an enum of strings)
            schema.setType(null);
        }
        String pattern = schema.getPattern();
        if (pattern == null || NOT_BLANK.equals(pattern)) {
            // @NotBlank is written as \S: "some character is not white space", a search, which is what JSON Schema's
            // own reading of a pattern already is (anchored, it would allow exactly one character)
            return schema;
        }
        if (WORDS.matcher(pattern).matches()) {
            List<Object> words = Arrays.stream(pattern.split("\\|")).map(w -> (Object) w).toList();
            if (schema.getEnumeration() == null || schema.getEnumeration().isEmpty()) {
                schema.setEnumeration(words);
            }
            schema.setPattern(null);
            return schema;
        }
        schema.setPattern(anchored(pattern));
        return schema;
    }

    /** The pattern as a whole-value match: {@code ^(?:p)$}, unless it already is one. */
    static String anchored(String pattern) {
        boolean start = pattern.startsWith("^");
        boolean end = pattern.endsWith("$") && !pattern.endsWith("\\$");
        if (start && end) {
            return pattern;
        }
        return "^(?:" + pattern + ")$";
    }
}
