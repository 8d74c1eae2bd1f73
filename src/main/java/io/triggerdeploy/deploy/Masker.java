package io.triggerdeploy.deploy;

import io.triggerdeploy.ssh.OutputText;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Replaces secrets in output with ***: the configured ones (the legacy deploy token, {@code trigger.deploy.mask}) in
 * every log, and a deployment's own secret values (secret parameters, the server's secret variables) in its log.
 */
@ApplicationScoped
public class Masker {

    private final Mask global;

    public Masker(DeployConfig config) {
        List<String> s = new ArrayList<>();
        config.legacyToken().ifPresent(s::add);
        config.mask().ifPresent(s::addAll);
        // very short configured values would mask noise
        this.global = new Mask(s.stream().filter(v -> v != null && v.length() >= 4).toList());
    }

    public String mask(String text) {
        return global.mask(text);
    }

    /** The configured secrets and these values, each also as output shows it (cleaned, and line by line). */
    Mask with(Collection<String> values) {
        if (values.isEmpty()) {
            return global;
        }
        Set<String> all = new LinkedHashSet<>(global.secrets);
        for (String v : values) {
            all.add(v);
            all.add(OutputText.clean(v));
            if (v.indexOf('\n') >= 0) {
                for (String line : v.split("\r?\n")) {
                    if (line.length() >= 4) {
                        all.add(line);
                        all.add(OutputText.clean(line));
                    }
                }
            }
        }
        return new Mask(all.stream().filter(x -> !x.isEmpty() && x.indexOf('\n') < 0).toList());
    }

    /** A fixed set of secrets, longest first so that a secret containing another is masked whole. */
    static final class Mask {
        private final List<String> secrets;

        Mask(Collection<String> values) {
            this.secrets = values.stream().distinct().sorted(Comparator.comparingInt(String::length).reversed()).toList();
        }

        String mask(String text) {
            String out = text;
            for (String secret : secrets) {
                if (out.contains(secret)) {
                    out = out.replace(secret, "***");
                }
            }
            return out;
        }

        /**
         * How many characters at the end of {@code text} begin a secret without completing it: a line cut there may
         * continue with the rest of the secret, so that much is held back and masked with what follows.
         */
        int unfinished(String text) {
            int best = 0;
            for (String secret : secrets) {
                for (int k = Math.min(text.length(), secret.length() - 1); k > best; k--) {
                    if (text.regionMatches(text.length() - k, secret, 0, k)) {
                        best = k;
                        break;
                    }
                }
            }
            return best;
        }
    }
}
