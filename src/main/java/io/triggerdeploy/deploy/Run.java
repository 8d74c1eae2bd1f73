package io.triggerdeploy.deploy;

/**
 * What a queued deployment will run with: its version, its parameter values as shown (JSON, secrets as ***), the
 * sealed values of its secret parameters (JSON, or null), and the deployment it repeats.
 */
public record Run(String ref, String shownJson, String sealedJson, TriggerCommand.Origin origin) {

    public static final Run PLAIN = new Run(null, null, null, null);

    Run from(TriggerCommand.Origin o) {
        return new Run(ref, shownJson, sealedJson, o);
    }
}
