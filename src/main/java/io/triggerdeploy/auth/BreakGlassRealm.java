package io.triggerdeploy.auth;

import io.triggerdeploy.security.AuthConfig;
import io.triggerdeploy.security.Role;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Emergency users from {@code trigger.auth.fallback-file} ({@code username:bcrypt-hash:role} per line,
 * {@code #} comments). Consulted only while the database is unreachable. The file is re-read when it changes.
 */
@ApplicationScoped
public class BreakGlassRealm {

    private static final Logger LOG = Logger.getLogger(BreakGlassRealm.class);

    private final Optional<Path> file;
    private volatile Map<String, Entry> entries = Map.of();
    private volatile FileTime loadedAt;

    public BreakGlassRealm(AuthConfig config) {
        this.file = config.fallbackFile();
    }

    /** One line of the file. */
    public record Entry(String username, String hash, Role role) {
    }

    public boolean isConfigured() {
        return file.isPresent();
    }

    /** Blocking (file read): call from a worker. */
    public Optional<Entry> find(String username) {
        if (file.isEmpty()) {
            return Optional.empty();
        }
        reloadIfChanged(file.get());
        return Optional.ofNullable(entries.get(username.trim().toLowerCase(Locale.ROOT)));
    }

    private synchronized void reloadIfChanged(Path path) {
        try {
            FileTime mtime = Files.getLastModifiedTime(path);
            if (mtime.equals(loadedAt)) {
                return;
            }
            entries = parse(Files.readAllLines(path));
            loadedAt = mtime;
        } catch (IOException e) {
            LOG.warnf("Break-glass file %s cannot be read: %s", path, e.getMessage());
            entries = Map.of();
            loadedAt = null;
        }
    }

    static Map<String, Entry> parse(List<String> lines) {
        Map<String, Entry> out = new HashMap<>();
        int n = 0;
        for (String raw : lines) {
            n++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int first = line.indexOf(':');
            int last = line.lastIndexOf(':');
            Optional<Role> role = first > 0 && last > first ? Role.parse(line.substring(last + 1)) : Optional.empty();
            String hash = first > 0 && last > first ? line.substring(first + 1, last) : "";
            if (role.isEmpty() || !hash.startsWith("$2")) {
                LOG.warnf("Break-glass file line %d ignored: expected username:bcrypt-hash:role", n);
                continue;
            }
            String user = line.substring(0, first);
            out.put(user.toLowerCase(Locale.ROOT), new Entry(user, hash, role.get()));
        }
        return Map.copyOf(out);
    }
}
