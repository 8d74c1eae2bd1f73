package io.triggerdeploy.deploy;

/**
 * Something people should hear about a deployment's approval or an emergency bypass, fired (asynchronously) after the
 * change committed: {@code kind} is awaiting_approval, approved, rejected, expired or break_glass; {@code by} and
 * {@code comment} say who decided and why (null where nobody did).
 */
public record ApprovalNotice(String kind, DeploymentView deployment, String by, String comment) {
}
