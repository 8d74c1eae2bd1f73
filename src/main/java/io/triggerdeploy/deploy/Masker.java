package io.triggerdeploy.deploy;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Replaces configured secrets (the legacy deploy token, {@code trigger.deploy.mask}) in output with ***. */
@ApplicationScoped
public class Masker {

    private final List<String> secrets;

    public Masker(DeployConfig config) {
        List<String> s = new ArrayList<>();
        config.legacyToken().ifPresent(s::add);
        config.mask().ifPresent(s::addAll);
        // longest first, so that a secret containing another is masked whole; very short values would mask noise
        this.secrets = s.stream().filter(v -> v != null && v.length() >= 4).distinct()
                .sorted(Comparator.comparingInt(String::length).reversed()).toList();
    }

    public String mask(String text) {
        String out = text;
        for (String secret : secrets) {
            if (out.contains(secret)) {
                out = out.replace(secret, "***");
            }
        }
        return out;
    }
}
