package io.triggerdeploy.web;

import io.triggerdeploy.audit.AuditEvent;

import java.util.List;

import static io.triggerdeploy.common.Text.blank;

/** One page of the audit trail with its filters as typed. */
public record AuditView(List<AuditEvent> items, String nextPageQuery, String actor, String action, String from, String to,
                        List<String> actions) {

    public boolean anyFilter() {
        return !(blank(actor) && blank(action) && blank(from) && blank(to));
    }
}
