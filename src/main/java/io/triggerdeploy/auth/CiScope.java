package io.triggerdeploy.auth;

import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.ProblemMapper;
import io.triggerdeploy.security.TriggerPrincipal;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a CI job's token may do at all, whatever its team's grants: read (GET), deploy, re-run, roll back, start and abort
 * rollouts, cancel its deployments. Anything else (approvals, tokens, settings, webhooks, schedules, the account) is
 * refused with 403 before it runs, so a binding can never give a job more than deploying where its team may.
 */
public class CiScope {

    static final Pattern ALLOWED = Pattern.compile(
            "/api/(deployments(/\\d{1,18}/(cancel|rerun))?|servers/[^/]{1,200}/rollback|rollouts(/\\d{1,18}/abort)?)/?");
    private static final Set<HttpMethod> READ = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

    private final CurrentIdentityAssociation identities;

    public CiScope(CurrentIdentityAssociation identities) {
        this.identities = identities;
    }

    @ServerRequestFilter
    public Uni<Response> check(HttpServerRequest request) {
        if (READ.contains(request.method()) || request.getHeader("Authorization") == null) {
            return Uni.createFrom().nullItem();
        }
        String path = request.path();
        return identities.getDeferredIdentity().onFailure().recoverWithNull().map(identity -> {
            if (identity == null || !(identity.getPrincipal() instanceof TriggerPrincipal p) || !p.isCi()
                    || request.method() == HttpMethod.POST && ALLOWED.matcher(path).matches()) {
                return null;
            }
            return ProblemMapper.response(403, "Forbidden", "A CI job's token may read, deploy, re-run, roll back, start and abort "
                    + "rollouts and cancel; not " + request.method() + " " + path, path, Map.of()).toResponse();
        });
    }
}
