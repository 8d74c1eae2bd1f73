package io.triggerdeploy.auth;

import io.quarkus.vertx.VertxContextSupport;
import io.triggerdeploy.db.BootstrapStep;
import io.triggerdeploy.db.StartupFailure;
import io.triggerdeploy.security.AuthConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Optional;
import java.util.UUID;

/**
 * Installs the shared signing key: from {@code trigger.auth.jwt.*-key-file} when configured (checked before
 * the database is awaited), otherwise the pair stored in the database, created by whichever replica comes first.
 */
@ApplicationScoped
public class SigningKeyLoader implements BootstrapStep {

    private static final Logger LOG = Logger.getLogger(SigningKeyLoader.class);

    private final AuthConfig config;
    private final SigningKeys keys;
    private final SigningKeyRepository repository;

    public SigningKeyLoader(AuthConfig config, SigningKeys keys, SigningKeyRepository repository) {
        this.config = config;
        this.keys = keys;
        this.repository = repository;
    }

    @Override
    public int order() {
        return 10;
    }

    @Override
    public void preflight() {
        Optional<java.nio.file.Path> priv = config.jwt().privateKeyFile();
        Optional<java.nio.file.Path> pub = config.jwt().publicKeyFile();
        if (priv.isEmpty() && pub.isEmpty()) {
            return;
        }
        if (priv.isEmpty() || pub.isEmpty()) {
            throw new StartupFailure("trigger.auth.jwt.private-key-file and trigger.auth.jwt.public-key-file must be set together");
        }
        PrivateKey privateKey;
        PublicKey publicKey;
        try {
            privateKey = SigningKeys.readPrivate(priv.get());
        } catch (Exception e) {
            throw new StartupFailure("trigger.auth.jwt.private-key-file (" + priv.get() + ") is not a readable PEM PKCS#8 RSA key");
        }
        try {
            publicKey = SigningKeys.readPublic(pub.get());
        } catch (Exception e) {
            throw new StartupFailure("trigger.auth.jwt.public-key-file (" + pub.get() + ") is not a readable PEM RSA public key");
        }
        if (!matches(privateKey, publicKey)) {
            throw new StartupFailure("trigger.auth.jwt.public-key-file does not match trigger.auth.jwt.private-key-file");
        }
        keys.useShared(SigningKeys.thumbprint(publicKey), privateKey, publicKey);
        LOG.info("Token signing key loaded from files");
    }

    @Override
    public void run() throws Throwable {
        if (keys.shared().isPresent()) {
            return; // from files
        }
        SigningKeyRepository.StoredKey stored = VertxContextSupport.subscribeAndAwait(repository::find);
        if (stored == null) {
            KeyPair kp = SigningKeys.generate();
            SigningKeyRepository.StoredKey fresh = new SigningKeyRepository.StoredKey(UUID.randomUUID().toString(),
                    SigningKeys.toPem("PRIVATE KEY", kp.getPrivate().getEncoded()),
                    SigningKeys.toPem("PUBLIC KEY", kp.getPublic().getEncoded()));
            VertxContextSupport.subscribeAndAwait(() -> repository.insertIfAbsent(fresh));
            stored = VertxContextSupport.subscribeAndAwait(repository::find);
            if (stored.kid().equals(fresh.kid())) {
                LOG.info("Created the shared token signing key");
            }
        }
        keys.useShared(stored.kid(), SigningKeys.privateFromPem(stored.privatePem()),
                SigningKeys.publicFromPem(stored.publicPem()));
    }

    private static boolean matches(PrivateKey privateKey, PublicKey publicKey) {
        try {
            byte[] probe = UUID.randomUUID().toString().getBytes();
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initSign(privateKey);
            s.update(probe);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance("SHA256withRSA");
            v.initVerify(publicKey);
            v.update(probe);
            return v.verify(sig);
        } catch (Exception e) {
            return false;
        }
    }
}
