package io.triggerdeploy.common;

import io.quarkus.hibernate.validator.ValidatorFactoryCustomizer;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.constraints.Size;
import org.hibernate.validator.BaseHibernateValidatorConfiguration;
import org.hibernate.validator.cfg.ConstraintMapping;

/**
 * {@code @Size} on a String counts characters (code points), as the API document's {@code maxLength} and PostgreSQL's
 * {@code varchar(n)} do, not UTF-16 units: 60 emoji are 60 characters of a 100-character name, not 120. Collections and
 * maps keep the built-in counting.
 */
@ApplicationScoped
public class CharacterCounting implements ValidatorFactoryCustomizer {

    @Override
    public void customize(BaseHibernateValidatorConfiguration<?> configuration) {
        ConstraintMapping mapping = configuration.createConstraintMapping();
        // a validator for String is more specific than the built-in one for CharSequence, so it is the one chosen
        mapping.constraintDefinition(Size.class).includeExistingValidators(true).validatedBy(CodePoints.class);
        configuration.addMapping(mapping);
    }

    /** The length of a string in code points, against {@code @Size}'s bounds. */
    @RegisterForReflection
    public static class CodePoints implements ConstraintValidator<Size, String> {
        private int min;
        private int max;

        @Override
        public void initialize(Size size) {
            min = size.min();
            max = size.max();
        }

        @Override
        public boolean isValid(String value, ConstraintValidatorContext context) {
            if (value == null) {
                return true;
            }
            int length = value.codePointCount(0, value.length());
            return length >= min && length <= max;
        }
    }
}
