package io.triggerdeploy.auth;

import io.quarkus.hibernate.reactive.panache.PanacheRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/** API token rows. */
@ApplicationScoped
public class ApiTokenRepository implements PanacheRepository<ApiToken> {

    public Uni<List<ApiToken>> listForUser(long userId) {
        return find("userId = ?1 order by id desc", userId).list();
    }

    public Uni<List<ApiToken>> listAll() {
        return find("order by id desc").list();
    }

    public Uni<Boolean> liveNameTaken(long userId, String name) {
        return count("userId = ?1 and lower(name) = lower(?2) and revokedAt is null", userId, name).map(n -> n > 0);
    }
}
