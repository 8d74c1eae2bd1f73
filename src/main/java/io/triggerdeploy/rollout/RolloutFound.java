package io.triggerdeploy.rollout;

import jakarta.ws.rs.NameBinding;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a rollout's event stream: {@link RolloutStreamCheck} answers 404 for a rollout that does not exist or that the
 * caller may not see before the stream begins (once its headers are out, a failure can only cut the stream).
 */
@NameBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface RolloutFound {
}
