package io.triggerdeploy.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.Map;

/**
 * Makes the libraries' series follow Prometheus naming (what {@code promtool check metrics} checks), so that
 * dashboards and alert rules can rely on them: snake_case label names, a help text on every series, no unit
 * abbreviations and no {@code _count} suffix on plain gauges. Our own {@code trigger_*} series already comply.
 */
@Singleton
public class MetricsNaming {

    /** Label keys the database-client metrics spell in camelCase. */
    private static final Map<String, String> TAG_KEYS = Map.of("clientName", "client_name", "clientType", "client_type");

    @Produces
    @Singleton
    MeterFilter snakeCaseLabelsAndHelpTexts() {
        return new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                String name = id.getName();
                if (name.equals("system.cpu.count")) {
                    name = "system.cpus"; // a gauge; "_count" reads as a histogram's count
                }
                boolean renameTags = id.getTags().stream().anyMatch(t -> TAG_KEYS.containsKey(t.getKey()));
                String description = id.getDescription();
                boolean describe = description == null || description.isBlank();
                boolean quoted = !describe && description.indexOf('"') >= 0;
                if (!renameTags && !describe && !quoted && name.equals(id.getName())) {
                    return id;
                }
                if (quoted) {
                    // a quote in a help text is escaped in OpenMetrics but invalid in the 0.0.4 text format
                    description = description.replace('"', '\'');
                }
                java.util.List<Tag> tags = id.getTags().stream()
                        .map(t -> Tag.of(TAG_KEYS.getOrDefault(t.getKey(), t.getKey()), t.getValue())).toList();
                return new Meter.Id(name, io.micrometer.core.instrument.Tags.of(tags), id.getBaseUnit(),
                        describe ? words(id.getName()) : description, id.getType());
            }

            @Override
            public MeterFilterReply accept(Meter.Id id) {
                // process.cpu.time: nanoseconds in the name; process_cpu_seconds_total below carries the same figure.
                // http.server.connections: a long-task timer, which the text format renders as a "summary" of
                // _active_count and _duration_sum series that no parser accepts as one; active requests remain.
                return id.getName().equals("process.cpu.time") || id.getName().equals("http.server.connections")
                        ? MeterFilterReply.DENY : MeterFilterReply.NEUTRAL;
            }
        };
    }

    /** The Prometheus-standard CPU time of this process. */
    void processCpuSeconds(@Observes StartupEvent event, MeterRegistry registry) {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            FunctionCounter.builder("process.cpu", os, o -> o.getProcessCpuTime() / 1e9)
                    .baseUnit("seconds").description("CPU time used by this process").register(registry);
        }
    }

    /** "netty.allocator.memory.used" becomes "Netty allocator memory used". */
    static String words(String name) {
        String w = name.replace('.', ' ').replace('_', ' ').trim();
        return w.isEmpty() ? "metric" : w.substring(0, 1).toUpperCase(Locale.ROOT) + w.substring(1);
    }
}
