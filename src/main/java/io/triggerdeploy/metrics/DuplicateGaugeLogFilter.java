package io.triggerdeploy.metrics;

import io.quarkus.logging.LoggingFilter;

import java.util.logging.Filter;
import java.util.logging.LogRecord;

/**
 * Drops one known, harmless warning at every start: the reactive PostgreSQL pool asks the Vert.x metrics SPI for its
 * client metrics more than once under the same name, and Micrometer then says that the {@code postgresql.queue.size}
 * gauge "has been already registered" (the first registration keeps reporting). Only that message is dropped; any
 * other duplicate registration is still logged.
 */
@LoggingFilter(name = "known-duplicate-gauge")
public final class DuplicateGaugeLogFilter implements Filter {

    static final String LOGGER = "io.micrometer.core.instrument.MeterRegistry";

    @Override
    public boolean isLoggable(LogRecord record) {
        if (!LOGGER.equals(record.getLoggerName())) {
            return true;
        }
        String message = record.getMessage();
        return message == null || !(message.startsWith("This Gauge has been already registered")
                && message.contains("name='postgresql.queue.size'"));
    }
}
