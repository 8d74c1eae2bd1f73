package io.triggerdeploy.ssh;

import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;

/**
 * The client keys a connection logs in with: the file a server's key reference names in {@code trigger.ssh.key-directory},
 * or the service's own key ({@code trigger.ssh.private-key-file}); read for each connection, never echoed.
 */
final class ClientKeys {

    private ClientKeys() {
    }

    static List<KeyPair> load(SshConfig config, String keyRef) throws SshFailure {
        Path file;
        if (keyRef != null && !keyRef.isBlank()) {
            if (!SshService.isValidKeyRef(keyRef) || config.keyDirectory().isEmpty()) {
                throw new SshFailure(SshFailure.Kind.NO_CLIENT_KEY, "The server's key reference '" + keyRef
                        + "' cannot be used: set trigger.ssh.key-directory and name a file inside it");
            }
            file = config.keyDirectory().get().resolve(keyRef);
        } else if (config.privateKeyFile().isPresent()) {
            file = config.privateKeyFile().get();
        } else {
            throw new SshFailure(SshFailure.Kind.NO_CLIENT_KEY,
                    "No SSH client key: set TRIGGER_SSH_PRIVATE_KEY_FILE or give the server a key reference");
        }
        if (!Files.isReadable(file)) {
            throw new SshFailure(SshFailure.Kind.NO_CLIENT_KEY, "The SSH client key file " + file.getFileName() + " is not readable");
        }
        FileKeyPairProvider provider = new FileKeyPairProvider(file);
        provider.setPasswordFinder(config.privateKeyPassphrase().map(FilePasswordProvider::of).orElse(FilePasswordProvider.EMPTY));
        List<KeyPair> keys = new ArrayList<>();
        try {
            provider.loadKeys(null).forEach(keys::add);
        } catch (RuntimeException e) {
            // never echo key material or the passphrase
            throw new SshFailure(SshFailure.Kind.NO_CLIENT_KEY, "The SSH client key file " + file.getFileName()
                    + " cannot be loaded (wrong format or passphrase)");
        }
        if (keys.isEmpty()) {
            throw new SshFailure(SshFailure.Kind.NO_CLIENT_KEY, "The SSH client key file " + file.getFileName() + " holds no key");
        }
        return keys;
    }
}
