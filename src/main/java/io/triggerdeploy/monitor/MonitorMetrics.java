package io.triggerdeploy.monitor;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** {@code trigger_service_status}: 1 for each watched service's current status, 0 for the others. */
@ApplicationScoped
public class MonitorMetrics {

    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, AtomicLong> gauges = new ConcurrentHashMap<>();

    public MonitorMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void serviceStatus(String service, String status) {
        for (String s : new String[]{"UP", "DOWN", "DEGRADED", "REFUSED"}) {
            gauge(service, s).set(s.equals(status) ? 1 : 0);
        }
    }

    private AtomicLong gauge(String service, String status) {
        return gauges.computeIfAbsent(service + "\u0000" + status, k -> {
            AtomicLong v = new AtomicLong();
            Gauge.builder("trigger_service_status", v, AtomicLong::get)
                    .description("1 for the service's current status, 0 for the others")
                    .tag("service", service).tag("status", status).register(registry);
            return v;
        });
    }
}
