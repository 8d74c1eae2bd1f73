package io.triggerdeploy.common;

import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Keyset pages, newest first by id: a page asks for {@code limit} rows with an id below the cursor, and a full page
 * names its last id as the next cursor (a short page is the last one).
 */
public final class Keyset {

    private Keyset() {
    }

    /** 400 naming {@code limit} unless it is between 1 and {@code max}. */
    public static int limit(int limit, int max) {
        if (limit < 1 || limit > max) {
            throw ProblemException.invalid("limit", "must be between 1 and " + max);
        }
        return limit;
    }

    /** The cursor of the page after {@code items}, or null when there is none. */
    public static <T> Long next(List<T> items, int limit, ToLongFunction<T> id) {
        return items.size() == limit && !items.isEmpty() ? id.applyAsLong(items.get(items.size() - 1)) : null;
    }
}
