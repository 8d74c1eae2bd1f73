package io.triggerdeploy.ssh;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.io.IOException;
import java.util.List;

/** The public lines of the client keys the service logs in with, for the servers' {@code authorized_keys}. */
@ApplicationScoped
public class ClientKeyLines {

    private final SshConfig config;

    public ClientKeyLines(SshConfig config) {
        this.config = config;
    }

    /** A client key's public part as a server's {@code authorized_keys} takes it, or why it cannot be read. */
    @Schema(name = "SshClientKey")
    public record ClientPublicKey(String source, @Schema(nullable = true) String line, @Schema(nullable = true) String fingerprint,
                                  @Schema(nullable = true) String error) {
    }

    /**
     * The public parts of the client keys the service logs in with: its own key ({@code trigger.ssh.private-key-file})
     * and each key file of {@code trigger.ssh.key-directory} (at most 50), each as the line to put in a server's
     * {@code ~/.ssh/authorized_keys}. Never the private part.
     */
    public List<ClientPublicKey> list() {
        List<ClientPublicKey> out = new java.util.ArrayList<>();
        if (config.privateKeyFile().isPresent()) {
            out.addAll(publicParts("the service's key (" + config.privateKeyFile().get().getFileName() + ")", null));
        }
        if (config.keyDirectory().isPresent() && java.nio.file.Files.isDirectory(config.keyDirectory().get())) {
            try (var files = java.nio.file.Files.list(config.keyDirectory().get())) {
                files.filter(java.nio.file.Files::isRegularFile).map(f -> f.getFileName().toString())
                        .filter(n -> !n.endsWith(".pub") && SshService.isValidKeyRef(n)).sorted().limit(50)
                        .forEach(n -> out.addAll(publicParts("key reference " + n, n)));
            } catch (IOException e) {
                out.add(new ClientPublicKey("the key directory", null, null, "cannot be listed"));
            }
        }
        return out;
    }

    private List<ClientPublicKey> publicParts(String source, String keyRef) {
        try {
            return ClientKeys.load(config, keyRef).stream().map(k -> {
                HostKeys.HostKey pub = HostKeys.of(k.getPublic());
                return new ClientPublicKey(source, pub.line() + " trigger-deploy", pub.fingerprint(), null);
            }).toList();
        } catch (SshFailure f) {
            return List.of(new ClientPublicKey(source, null, null, f.getMessage()));
        }
    }
}
