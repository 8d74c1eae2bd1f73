package io.triggerdeploy.db;

/** A startup problem whose message is the one clear line an operator needs; logged without a stack trace. */
public class StartupFailure extends RuntimeException {
    public StartupFailure(String message) {
        super(message, null, false, false);
    }
}
