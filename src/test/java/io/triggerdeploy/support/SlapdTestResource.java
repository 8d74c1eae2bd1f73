package io.triggerdeploy.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/** Starts a {@link TestSlapd} for the application and points {@code trigger.auth.ldap.*} at it. */
public class SlapdTestResource implements QuarkusTestResourceLifecycleManager {

    private static volatile TestSlapd slapd;

    public static TestSlapd slapd() {
        return slapd;
    }

    @Override
    public Map<String, String> start() {
        try {
            slapd = TestSlapd.start();
            return Map.of(
                    "trigger.auth.ldap.url", slapd.url(),
                    "trigger.auth.ldap.bind-dn", TestSlapd.READER_DN,
                    "trigger.auth.ldap.bind-password-file", slapd.readerPasswordFile().toString(),
                    "trigger.auth.ldap.user-base-dn", TestSlapd.SUFFIX,
                    "trigger.auth.ldap.member-of-attribute", "memberOf",
                    "trigger.auth.ldap.group-base-dn", "ou=groups," + TestSlapd.SUFFIX,
                    "trigger.auth.ldap.connect-timeout", "2s",
                    "trigger.auth.ldap.read-timeout", "3s");
        } catch (Exception e) {
            throw new IllegalStateException("Could not start slapd", e);
        }
    }

    @Override
    public void stop() {
        if (slapd != null) {
            try {
                slapd.close();
            } catch (Exception e) {
                // the temporary folder goes with the machine
            }
        }
    }
}
