package io.triggerdeploy.server;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.ColumnTransformer;

import java.time.OffsetDateTime;

/** A registered deploy target: where to SSH, as whom, which pinned host key, and what to run where. */
@Entity
@Table(name = "servers")
public class Server {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false, length = 100)
    public String name;

    @Column(nullable = false, length = 64)
    public String alias;

    @Column(nullable = false, length = 253)
    public String host;

    @Column(nullable = false)
    public int port = 22;

    @Column(name = "ssh_user", nullable = false, length = 32)
    public String user;

    @Column(nullable = false, length = 1024)
    public String path;

    @Column(nullable = false, length = 1024)
    public String command;

    @Column(length = 64)
    public String environment;

    @Column(length = 1000)
    public String description;

    @Column(name = "timeout_seconds", nullable = false)
    public int timeoutSeconds = 1800;

    @Column(nullable = false)
    public boolean active = true;

    /** The pinned host key as an OpenSSH public key line; null until an admin pins it. */
    @Column(name = "host_key", length = 8192)
    public String hostKey;

    /** File name of a per-server client key inside trigger.ssh.key-directory. */
    @Column(name = "private_key_ref", length = 128)
    public String privateKeyRef;

    /** The declared parameters, a JSON list of {@link ParameterSpec}. */
    @Column(nullable = false)
    public String parameters = "[]";

    /** Secret variables every deployment receives: a JSON object of name to sealed value; null when none. */
    @Column(name = "secret_variables")
    public String secretVariables;

    /** Steps around the deploy command, a JSON {@link StepsSpec}; null when there are none. */
    @Column(name = "steps")
    public String steps;

    /** The server this one is reached through (one hop); null for a direct connection. */
    @Column(name = "jump_server_id")
    public Long jumpServerId;

    /** What a trigger does while a deployment is queued or running: queue, reject or replace. */
    @Column(name = "queue_policy", nullable = false, length = 8)
    public String queuePolicy = "queue";

    /** Labels, a JSON object of key to value (what rollout selectors match); {} when there are none. */
    @Column(nullable = false)
    @ColumnTransformer(read = "labels::text", write = "cast(cast(? as text) as jsonb)") // text in, parsed as JSON: a bare String parameter would become a JSON string
    public String labels = "{}";

    @Column(name = "created_at", nullable = false, updatable = false)
    public OffsetDateTime createdAt;

    @Column(name = "updated_at", nullable = false)
    public OffsetDateTime updatedAt;

    /** Written by the reachability check only (REACHABLE, LOGIN_FAILED, UNREACHABLE, HOST_KEY_MISMATCH, UNPINNED). */
    @Column(name = "reachability", insertable = false, updatable = false)
    public String reachability;

    @Column(name = "reachability_error", insertable = false, updatable = false)
    public String reachabilityError;

    @Column(name = "reachability_checked_at", insertable = false, updatable = false)
    public OffsetDateTime reachabilityCheckedAt;

    /** Last time the SSH port answered with the pinned key. */
    @Column(name = "last_seen_at", insertable = false, updatable = false)
    public OffsetDateTime lastSeenAt;
}
