package io.triggerdeploy.server;

import io.quarkus.hibernate.reactive.panache.PanacheRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/** Server rows. */
@ApplicationScoped
public class ServerRepository implements PanacheRepository<Server> {

    public Uni<List<Server>> listOrdered() {
        return find("order by lower(alias)").list();
    }

    public Uni<Server> findByAlias(String alias) {
        return find("lower(alias) = lower(?1)", alias).firstResult();
    }

    /** Whether deployment history refers to the server (it must then be deactivated, not deleted). */
    public Uni<Boolean> hasDeployments(long id) {
        return getSession().chain(s -> s.createNativeQuery("SELECT count(*) FROM deployments WHERE server_id = ?1", Long.class)
                .setParameter(1, id).getSingleResult()).map(n -> n > 0);
    }

    /** Like the old tool: an alias first, then a host, case-insensitive. */
    public Uni<Server> findByAliasOrHost(String ref) {
        return find("lower(alias) = lower(?1) or lower(host) = lower(?1) "
                + "order by case when lower(alias) = lower(?1) then 0 else 1 end, id", ref).firstResult();
    }
}
