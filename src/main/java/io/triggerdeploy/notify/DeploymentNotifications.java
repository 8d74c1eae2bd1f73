package io.triggerdeploy.notify;

import io.triggerdeploy.deploy.ApprovalNotice;
import io.triggerdeploy.deploy.DeploymentLifecycle;
import io.triggerdeploy.deploy.DeploymentStatus;
import io.triggerdeploy.deploy.DeploymentView;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import org.jboss.logging.Logger;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Turns deployment starts and ends into messages (the replica that ran the deployment sends them, once). */
@ApplicationScoped
public class DeploymentNotifications {

    private static final Logger LOG = Logger.getLogger(DeploymentNotifications.class);
    private static final Set<DeploymentStatus> FAILED = Set.of(DeploymentStatus.FAILED, DeploymentStatus.TIMED_OUT,
            DeploymentStatus.INTERRUPTED);

    private final Notifier notifier;
    private final NotifyConfig config;

    public DeploymentNotifications(Notifier notifier, NotifyConfig config) {
        this.notifier = notifier;
        this.config = config;
    }

    void on(@ObservesAsync DeploymentLifecycle e) {
        NotifyEvent event;
        if (e.phase() == DeploymentLifecycle.Phase.STARTED) {
            event = NotifyEvent.DEPLOYMENT_STARTED;
        } else if (e.status() == DeploymentStatus.SUCCEEDED) {
            event = NotifyEvent.DEPLOYMENT_SUCCEEDED;
        } else if (FAILED.contains(e.status())) {
            event = NotifyEvent.DEPLOYMENT_FAILED;
        } else {
            return; // cancelled by a person: they know
        }
        List<String> lines = event == NotifyEvent.DEPLOYMENT_FAILED ? last(e.lastLines(), config.failedLogLines()) : List.of();
        try {
            notifier.publish(message(event, e.deployment(), lines));
        } catch (RuntimeException failure) {
            LOG.warnf("Could not prepare the %s notification of deployment %d: %s", event.id(), e.deploymentId(),
                    failure.getMessage());
        }
    }

    /** Approvals asked for, given, refused or timed out, and emergency bypasses. */
    void on(@ObservesAsync ApprovalNotice n) {
        NotifyEvent event = switch (n.kind()) {
            case "awaiting_approval" -> NotifyEvent.DEPLOYMENT_AWAITING_APPROVAL;
            case "approved" -> NotifyEvent.DEPLOYMENT_APPROVED;
            case "rejected" -> NotifyEvent.DEPLOYMENT_REJECTED;
            case "expired" -> NotifyEvent.DEPLOYMENT_EXPIRED;
            default -> NotifyEvent.DEPLOYMENT_BREAK_GLASS;
        };
        try {
            Message m = message(event, n.deployment(), List.of());
            String what = switch (event) {
                case DEPLOYMENT_AWAITING_APPROVAL -> "awaits " + (n.deployment().approval() == null ? "approval"
                        : n.deployment().approval().required() + (n.deployment().approval().required() == 1 ? " approval" : " approvals"))
                        + " (requested by " + n.by() + ")";
                case DEPLOYMENT_APPROVED -> "approved by " + n.by();
                case DEPLOYMENT_REJECTED -> "rejected by " + n.by();
                case DEPLOYMENT_EXPIRED -> "expired waiting for approval";
                default -> "BREAK GLASS by " + n.by();
            };
            String subject = "[trigger-deploy] " + n.deployment().server() + ": deployment #" + n.deployment().id() + " " + what;
            StringBuilder text = new StringBuilder(what.substring(0, 1).toUpperCase(java.util.Locale.ROOT)).append(what.substring(1));
            if (n.comment() != null && event != NotifyEvent.DEPLOYMENT_AWAITING_APPROVAL) {
                text.append(event == NotifyEvent.DEPLOYMENT_BREAK_GLASS ? "\nReason: " : "\nComment: ").append(n.comment());
            }
            if (n.deployment().environment() != null) {
                text.append("\nEnvironment: ").append(n.deployment().environment());
            }
            text.append('\n').append(m.text());
            Map<String, Object> payload = new LinkedHashMap<>(m.payload());
            payload.put("environment", n.deployment().environment());
            payload.put("by", n.by());
            payload.put(event == NotifyEvent.DEPLOYMENT_BREAK_GLASS ? "reason" : "comment", n.comment());
            notifier.publish(new Message(event, subject, text.toString(), payload));
        } catch (RuntimeException failure) {
            LOG.warnf("Could not prepare the %s notification of deployment %d: %s", event.id(), n.deployment().id(),
                    failure.getMessage());
        }
    }

    private static List<String> last(List<String> lines, int n) {
        return lines.size() <= n ? lines : lines.subList(lines.size() - n, lines.size());
    }

    Message message(NotifyEvent event, DeploymentView d, List<String> lastLines) {
        String link = config.publicUrl().map(u -> u.replaceAll("/+$", "") + "/deployments/" + d.id()).orElse("/deployments/" + d.id());
        String verb = switch (event) {
            case DEPLOYMENT_STARTED -> "started";
            case DEPLOYMENT_SUCCEEDED -> "succeeded";
            default -> d.status().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
        };
        String subject = "[trigger-deploy] " + d.server() + ": deployment #" + d.id() + " " + verb;
        StringBuilder text = new StringBuilder();
        text.append("Server: ").append(d.server()).append('\n')
                .append("Requested by: ").append(d.requestedBy()).append(" (").append(d.source()).append(")\n");
        if (d.note() != null) {
            text.append("Note: ").append(d.note()).append('\n');
        }
        if (d.ref() != null) {
            text.append("Version: ").append(d.ref()).append('\n');
        }
        if (d.failedStep() != null) {
            text.append("Failed step: ").append(d.failedStep()).append('\n');
        }
        if (d.durationMs() != null) {
            text.append("Duration: ").append(d.durationMs() / 1000.0).append(" s\n");
        }
        if (d.exitCode() != null) {
            text.append("Exit code: ").append(d.exitCode()).append('\n');
        }
        if (d.error() != null) {
            text.append("Error: ").append(d.error()).append('\n');
        }
        text.append("Details: ").append(link).append('\n');
        if (!lastLines.isEmpty()) {
            text.append("\nLast ").append(lastLines.size()).append(" log lines:\n");
            lastLines.forEach(l -> text.append(l).append('\n'));
        }
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("deployment_id", d.id());
        payload.put("server", d.server());
        payload.put("status", d.status());
        payload.put("requested_by", d.requestedBy());
        payload.put("source", d.source());
        payload.put("exit_code", d.exitCode());
        payload.put("error", d.error());
        payload.put("ref", d.ref());
        payload.put("failed_step", d.failedStep());
        payload.put("duration_ms", d.durationMs());
        payload.put("url", link);
        if (!lastLines.isEmpty()) {
            payload.put("last_lines", lastLines);
        }
        return new Message(event, subject, text.toString(), payload);
    }
}
