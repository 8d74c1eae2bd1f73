package io.triggerdeploy.federation;

import io.triggerdeploy.common.ProblemException;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** A secret setting given as a file (preferred: a mounted Secret; read at each use, so a rotation needs no restart) or a value. */
final class SecretSetting {

    private static final Logger LOG = Logger.getLogger(SecretSetting.class);

    private SecretSetting() {
    }

    /**
     * The file's content without its trailing newline, else the value, else null; an unreadable file is a 503 (the
     * provider cannot be used) logged under the setting's name, never with the content.
     */
    static String read(Optional<Path> file, Optional<String> value, String setting, ProblemException unavailable) {
        if (file.isPresent()) {
            try {
                return Files.readString(file.get(), StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                LOG.errorf("Cannot read %s: %s", setting, e.getMessage());
                throw unavailable;
            }
        }
        return value.orElse(null);
    }
}
