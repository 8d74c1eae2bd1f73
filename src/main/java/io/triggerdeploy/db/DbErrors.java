package io.triggerdeploy.db;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;

/** Tells "the database cannot be reached" apart from "the database said no". */
public final class DbErrors {

    private DbErrors() {
    }

    /**
     * The SQLSTATE PostgreSQL answered with, wherever it came through: the reactive client's {@code PgException}, or
     * Hibernate's {@code JDBCException} (which carries the state without the client's exception as its cause); null
     * when {@code c} is neither.
     */
    public static String sqlState(Throwable c) {
        if (c instanceof io.vertx.pgclient.PgException pg) {
            return pg.getSqlState();
        }
        if (c instanceof org.hibernate.JDBCException jdbc) {
            return jdbc.getSQLState();
        }
        return null;
    }

    /** The first SQLSTATE in the cause chain of {@code t}, or null. */
    public static String firstSqlState(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            String state = sqlState(c);
            if (state != null) {
                return state;
            }
        }
        return null;
    }

    public static boolean isUnavailable(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof DatabaseUnavailableException
                    || c instanceof ConnectException
                    || c instanceof NoRouteToHostException
                    || c instanceof UnknownHostException
                    || c instanceof SocketException
                    || c instanceof TimeoutException
                    || c instanceof io.vertx.sqlclient.ClosedConnectionException
                    || c instanceof io.netty.channel.ConnectTimeoutException
                    || c instanceof io.smallrye.mutiny.TimeoutException) {
                return true;
            }
            String name = c.getClass().getName();
            if (name.endsWith("NoStackTraceTimeoutException") || name.endsWith("ConnectionPoolTooBusyException")) {
                return true;
            }
            // every connection of the pool stayed busy for the whole wait: answer 503 (try again), not 500
            if ("Timeout waiting for connection".equals(c.getMessage())
                    || c instanceof io.vertx.core.impl.NoStackTraceThrowable && "Timeout".equals(c.getMessage())) {
                return true;
            }
            if (c instanceof io.vertx.pgclient.PgException pg) {
                // admin shutdown, crash shutdown, cannot connect now (server starting or in recovery)
                String state = pg.getSqlState();
                return state != null && (state.startsWith("08") || state.equals("57P01")
                        || state.equals("57P02") || state.equals("57P03"));
            }
        }
        return false;
    }
}
