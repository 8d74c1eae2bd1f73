package io.triggerdeploy.federation;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/** The group mapping as other features see it (the Teams page), and whether any identity provider is set up. */
@ApplicationScoped
public class GroupMappings {

    private final FederationRepository repository;
    private final OidcClient oidc;
    private final LdapDirectory ldap;

    public GroupMappings(FederationRepository repository, OidcClient oidc, LdapDirectory ldap) {
        this.repository = repository;
        this.oidc = oidc;
        this.ldap = ldap;
    }

    public Uni<List<GroupMapping>> list() {
        return repository.mappings();
    }

    /** Whether people can sign in through OIDC or LDAP here. */
    public boolean providerConfigured() {
        return oidc.configured() || ldap.configured();
    }
}
