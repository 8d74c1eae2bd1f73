package io.triggerdeploy.monitor;

/** The outcome of one check. */
public record CheckResult(String status, Integer responseMs, Integer statusCode, String error) {

    static CheckResult down(Integer ms, Integer code, String error) {
        return new CheckResult("DOWN", ms, code, error);
    }
}
