package io.triggerdeploy.federation;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Sign-in against an LDAP directory ({@code trigger.auth.ldap.*}, env {@code TRIGGER_AUTH_LDAP_*}): off unless
 * {@code url} is set. The service binds with its own DN, finds the user's entry, then binds as that entry with the
 * password typed; groups come from a group search or from an attribute such as {@code memberOf}.
 */
@ConfigMapping(prefix = "trigger.auth.ldap")
public interface LdapConfig {

    /** {@code ldap://host:port} or {@code ldaps://host:port}. */
    Optional<String> url();

    /** Upgrade an {@code ldap://} connection with StartTLS before any password is sent. */
    @WithDefault("false")
    boolean startTls();

    /**
     * PEM certificates (an internal CA) that the directory's certificate must chain to, for {@code ldaps://} and
     * StartTLS; unset: the JVM's trusted CAs. The host name is checked against the certificate either way.
     */
    Optional<Path> caFile();

    /** The service's own DN for searching; unset: anonymous search. */
    Optional<String> bindDn();

    /** Its password (prefer {@link #bindPasswordFile()}). */
    Optional<String> bindPassword();

    /** A file holding the service's password (e.g. a mounted Kubernetes Secret); a trailing newline is ignored. */
    Optional<Path> bindPasswordFile();

    /** Where users are searched (subtree). */
    Optional<String> userBaseDn();

    /** The filter finding a user; {@code {0}} is the name typed, escaped (RFC 4515). */
    @WithDefault("(uid={0})")
    String userFilter();

    /** The attribute holding the user name used here. */
    @WithDefault("uid")
    String usernameAttribute();

    @WithDefault("mail")
    String emailAttribute();

    /** Where groups are searched; unset: no group search. */
    Optional<String> groupBaseDn();

    /** The filter finding a user's groups; {@code {0}} is the user's DN, escaped. */
    @WithDefault("(|(member={0})(uniqueMember={0}))")
    String groupFilter();

    /** The attribute of a group entry that is its name in the group mapping. */
    @WithDefault("cn")
    String groupNameAttribute();

    /** An attribute of the user entry listing the DNs of its groups (e.g. {@code memberOf}); their first RDN is the name. */
    Optional<String> memberOfAttribute();

    /** Role of someone none of whose groups is mapped to a role: {@code none} (refused), viewer, operator or admin. */
    @WithDefault("none")
    @jakarta.validation.constraints.Pattern(regexp = "none|viewer|operator|admin")
    String defaultRole();

    @WithDefault("5s")
    Duration connectTimeout();

    @WithDefault("10s")
    Duration readTimeout();
}
