package io.triggerdeploy.user;

import io.quarkus.vertx.VertxContextSupport;
import io.triggerdeploy.db.BootstrapStep;
import io.triggerdeploy.security.PasswordHasher;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.security.SecureRandom;

/**
 * Creates the first admin, race-free: one {@code INSERT … ON CONFLICT DO NOTHING}, so that of N replicas
 * starting together exactly one creates the row and only that one announces a generated password.
 * An existing user of that name is never touched.
 */
@ApplicationScoped
public class AdminBootstrap implements BootstrapStep {

    private static final Logger LOG = Logger.getLogger(AdminBootstrap.class);
    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    /** An instance field: a generator in a static field would be created at build time in a native image. */
    private final SecureRandom random = new SecureRandom();

    private final AdminConfig config;
    private final PasswordHasher hasher;
    private final UserRepository users;

    public AdminBootstrap(AdminConfig config, PasswordHasher hasher, UserRepository users) {
        this.config = config;
        this.hasher = hasher;
        this.users = users;
    }

    @Override
    public int order() {
        return 20;
    }

    @Override
    public void run() throws Throwable {
        String username = config.username();
        boolean exists = VertxContextSupport.subscribeAndAwait(() -> users.usernameExists(username));
        if (exists) {
            return; // never overwrite an existing admin's password
        }
        boolean generated = config.password().isEmpty();
        String password = config.password().orElseGet(this::generatePassword);
        String hash = hasher.hash(password); // we are on the bootstrap thread, not the event loop
        Long id = VertxContextSupport.subscribeAndAwait(() -> users.insertAdminIfAbsent(username, hash));
        if (id == null) {
            return; // another replica created it a moment ago
        }
        if (generated) {
            LOG.warnf("""

                    ================= INITIAL ADMIN PASSWORD (shown once) =================
                      username: %s
                      password: %s
                      Set TRIGGER_ADMIN_PASSWORD to choose it; change it after first login.
                    =======================================================================""", username, password);
        } else {
            LOG.infof("Created admin user '%s' with the configured password", username);
        }
    }

    String generatePassword() {
        StringBuilder sb = new StringBuilder(24);
        for (int i = 0; i < 24; i++) {
            sb.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }
}
