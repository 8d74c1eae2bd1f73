package io.triggerdeploy.user;

import io.triggerdeploy.security.Role;
import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;

/** Stores {@link Role} as its lower-case id, matching the table's check constraint. */
@Converter
public class RoleConverter implements AttributeConverter<Role, String> {
    @Override
    public String convertToDatabaseColumn(Role role) {
        return role == null ? null : role.id();
    }

    @Override
    public Role convertToEntityAttribute(String value) {
        return Role.parse(value).orElseThrow(() -> new IllegalStateException("Unknown role in database: " + value));
    }
}
