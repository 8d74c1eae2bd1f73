package io.triggerdeploy.deploy;

import jakarta.enterprise.context.ApplicationScoped;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.util.UUID;

/** This replica's name in claims and logs: host, process id and a random suffix (two restarts never share one). */
@ApplicationScoped
public class ReplicaName {

    private final String name;

    public ReplicaName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "unknown";
        }
        String pid = ManagementFactory.getRuntimeMXBean().getName().split("@")[0];
        this.name = host + "/" + pid + "/" + UUID.randomUUID().toString().substring(0, 6);
    }

    public String get() {
        return name;
    }
}
