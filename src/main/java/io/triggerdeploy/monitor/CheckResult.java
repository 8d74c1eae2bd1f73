package io.triggerdeploy.monitor;

/** The outcome of one check. */
public record CheckResult(String status, Integer responseMs, Integer statusCode, String error) {

    static CheckResult down(Integer ms, Integer code, String error) {
        return new CheckResult("DOWN", ms, code, error);
    }

    /**
     * REFUSED: the address policy forbade the check (the name now resolves to a denied address, a redirect leads to
     * one, or the service was saved under an earlier policy). It says nothing about the service: it counts in no
     * uptime and announces nothing.
     */
    static CheckResult refused(String error) {
        return new CheckResult("REFUSED", null, null, error);
    }
}
