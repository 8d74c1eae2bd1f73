package io.triggerdeploy.db;

/** The database did not answer in time or could not be reached. */
public class DatabaseUnavailableException extends RuntimeException {
    public DatabaseUnavailableException(String message) {
        super(message, null, false, false);
    }
}
