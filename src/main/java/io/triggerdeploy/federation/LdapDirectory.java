package io.triggerdeploy.federation;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.common.Workers;
import io.triggerdeploy.security.Role;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Optional;
import javax.naming.AuthenticationException;
import javax.naming.CommunicationException;
import javax.naming.Context;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.ServiceUnavailableException;
import javax.naming.directory.Attribute;
import javax.naming.directory.Attributes;
import javax.naming.directory.SearchControls;
import javax.naming.directory.SearchResult;
import javax.naming.ldap.InitialLdapContext;
import javax.naming.ldap.LdapContext;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.StartTlsRequest;
import javax.naming.ldap.StartTlsResponse;
import javax.net.ssl.SSLSocketFactory;

/**
 * Bind-and-search against the configured LDAP directory, on a worker thread with bounded connect and read timeouts.
 * Names typed at the login are escaped before they enter a filter (RFC 4515), an empty password never reaches the
 * directory (an empty simple bind would be an anonymous one), and a directory that cannot be reached is a 503 for the
 * people it serves, nothing more.
 */
@ApplicationScoped
public class LdapDirectory {

    private static final Logger LOG = Logger.getLogger(LdapDirectory.class);

    private final LdapConfig config;
    private volatile SSLSocketFactory tls;

    public LdapDirectory(LdapConfig config) {
        this.config = config;
        if (config.url().isPresent() && config.url().get().toLowerCase(java.util.Locale.ROOT).startsWith("ldap:")
                && !config.startTls() && !loopback(config.url().get())) {
            LOG.warnf("trigger.auth.ldap.url is plain ldap:// to another host without StartTLS: passwords cross the network "
                    + "in clear text; use ldaps:// or trigger.auth.ldap.start-tls=true");
        }
    }

    private static boolean loopback(String url) {
        try {
            String host = java.net.URI.create(url).getHost();
            return host != null && (host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]"));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    public boolean configured() {
        return config.url().isPresent() && config.userBaseDn().isPresent();
    }

    /** The role of a directory user with no mapped group; empty: refused. */
    public Optional<Role> defaultRole() {
        return Role.parse(config.defaultRole());
    }

    /**
     * The directory's word on a name and password: who it is, or null when there is no such user, the password is wrong
     * or the name matches more than one entry. Fails with a 503 problem when the directory cannot be reached.
     */
    public Uni<ExternalIdentity> authenticate(String username, String password) {
        if (!configured() || username == null || password == null || password.isEmpty() || username.isBlank()
                || username.length() > 256) {
            return Uni.createFrom().nullItem();
        }
        return Workers.run(() -> lookUp(username.strip(), password));
    }

    private ExternalIdentity lookUp(String username, String password) {
        LdapContext service = null;
        try {
            service = connect(config.bindDn().orElse(null), config.bindDn().isPresent() ? servicePassword() : null);
            SearchControls controls = new SearchControls();
            controls.setSearchScope(SearchControls.SUBTREE_SCOPE);
            controls.setCountLimit(2);
            controls.setTimeLimit((int) config.readTimeout().toMillis());
            List<String> attributes = new ArrayList<>(List.of(config.usernameAttribute(), config.emailAttribute()));
            config.memberOfAttribute().ifPresent(attributes::add);
            controls.setReturningAttributes(attributes.toArray(new String[0]));
            String filter = config.userFilter().replace("{0}", escape(username));
            List<SearchResult> found = new ArrayList<>();
            NamingEnumeration<SearchResult> results = service.search(config.userBaseDn().orElseThrow(), filter, controls);
            try {
                while (results.hasMore() && found.size() < 2) {
                    found.add(results.next());
                }
            } catch (javax.naming.SizeLimitExceededException e) {
                found.add(null);
            } finally {
                results.close();
            }
            if (found.size() != 1) {
                if (found.size() > 1) {
                    LOG.warnf("LDAP sign-in refused: the name matches more than one entry under %s", config.userBaseDn().get());
                }
                return null;
            }
            SearchResult entry = found.get(0);
            String dn = entry.getNameInNamespace();
            if (!bindsAs(dn, password)) {
                return null;
            }
            Attributes attrs = entry.getAttributes();
            String name = text(attrs.get(config.usernameAttribute()));
            String email = text(attrs.get(config.emailAttribute()));
            List<String> groups = new ArrayList<>(memberOf(attrs));
            if (config.groupBaseDn().isPresent()) {
                groups.addAll(groupsOf(service, dn));
            }
            return new ExternalIdentity(ExternalIdentity.Source.LDAP, dn.toLowerCase(java.util.Locale.ROOT),
                    name == null ? username : name, email, groups.stream().distinct().toList());
        } catch (CommunicationException | ServiceUnavailableException e) {
            LOG.warnf("LDAP directory unreachable: %s", e.getExplanation());
            throw unavailable();
        } catch (AuthenticationException e) {
            LOG.errorf("LDAP sign-in failed: the service's own bind was refused (check trigger.auth.ldap.bind-dn and its password)");
            throw unavailable();
        } catch (NamingException e) {
            if (timedOut(e)) {
                LOG.warnf("LDAP directory did not answer in time: %s", e.getExplanation());
                throw unavailable();
            }
            LOG.warnf("LDAP search failed: %s", e.getExplanation());
            throw unavailable();
        } finally {
            close(service);
        }
    }

    /** The groups named by the user entry's member-of attribute, when one is configured (see {@link #memberOfName}). */
    private List<String> memberOf(Attributes attrs) throws NamingException {
        List<String> groups = new ArrayList<>();
        Attribute memberOf = config.memberOfAttribute().map(attrs::get).orElse(null);
        if (memberOf != null) {
            NamingEnumeration<?> values = memberOf.getAll();
            while (values.hasMore()) {
                String group = memberOfName(String.valueOf(values.next()), config.groupBaseDn());
                if (group != null) {
                    groups.add(group);
                }
            }
        }
        return groups;
    }

    /**
     * The name a member-of DN maps by. With a group base DN, only groups under it count, by their first RDN's value
     * ({@code cn=ops,ou=groups,...} is {@code ops}; a {@code cn=ops} anywhere else in the directory is no group of
     * ours). Without one, the whole DN (normalised: attribute types lower-case, no spaces), so a group of the same
     * name elsewhere never maps like it. Null for what is not a DN.
     */
    static String memberOfName(String dn, java.util.Optional<String> groupBase) {
        try {
            LdapName name = new LdapName(dn);
            if (name.isEmpty()) {
                return null;
            }
            if (groupBase.isPresent()) {
                LdapName base = new LdapName(groupBase.get());
                return name.size() > base.size() && name.startsWith(base)
                        ? String.valueOf(name.getRdn(name.size() - 1).getValue()) : null;
            }
            StringBuilder sb = new StringBuilder();
            for (int i = name.size() - 1; i >= 0; i--) {
                javax.naming.ldap.Rdn rdn = name.getRdn(i);
                sb.append(sb.isEmpty() ? "" : ",").append(rdn.getType().toLowerCase(java.util.Locale.ROOT)).append('=')
                        .append(javax.naming.ldap.Rdn.escapeValue(rdn.getValue()));
            }
            return sb.toString();
        } catch (javax.naming.InvalidNameException | IllegalArgumentException e) {
            return null;
        }
    }

    /** Whether the directory accepts this DN and password (a new connection, closed at once). */
    private boolean bindsAs(String dn, String password) throws NamingException {
        LdapContext user = null;
        try {
            user = connect(dn, password);
            return true;
        } catch (AuthenticationException e) {
            return false;
        } finally {
            close(user);
        }
    }

    private List<String> groupsOf(LdapContext service, String userDn) throws NamingException {
        SearchControls controls = new SearchControls();
        controls.setSearchScope(SearchControls.SUBTREE_SCOPE);
        controls.setCountLimit(1000);
        controls.setTimeLimit((int) config.readTimeout().toMillis());
        controls.setReturningAttributes(new String[]{config.groupNameAttribute()});
        List<String> groups = new ArrayList<>();
        NamingEnumeration<SearchResult> results = service.search(config.groupBaseDn().orElseThrow(),
                config.groupFilter().replace("{0}", escape(userDn)), controls);
        try {
            while (results.hasMore()) {
                String name = text(results.next().getAttributes().get(config.groupNameAttribute()));
                if (name != null) {
                    groups.add(name);
                }
            }
        } catch (javax.naming.SizeLimitExceededException e) {
            LOG.warnf("LDAP group search for %s stopped at 1000 groups", userDn);
        } finally {
            results.close();
        }
        return groups;
    }

    /** The factory for TLS towards the directory: from the CA file when one is set, else the JVM's. */
    private SSLSocketFactory tls() {
        SSLSocketFactory f = tls;
        if (f != null) {
            return f;
        }
        if (config.caFile().isEmpty()) {
            f = (SSLSocketFactory) SSLSocketFactory.getDefault();
        } else {
            try {
                f = LdapTls.trusting(config.caFile().get());
            } catch (IOException | java.security.GeneralSecurityException e) {
                LOG.errorf("Cannot use trigger.auth.ldap.ca-file: %s", e.getMessage());
                throw unavailable();
            }
        }
        tls = f;
        return f;
    }

    private LdapContext connect(String dn, String password) throws NamingException {
        Hashtable<String, Object> env = new Hashtable<>();
        if (config.url().orElseThrow().toLowerCase(java.util.Locale.ROOT).startsWith("ldaps:") && config.caFile().isPresent()) {
            LdapTls.use(tls());
            env.put("java.naming.ldap.factory.socket", LdapTls.class.getName());
        }
        env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.ldap.LdapCtxFactory");
        env.put(Context.PROVIDER_URL, config.url().orElseThrow());
        env.put("com.sun.jndi.ldap.connect.timeout", String.valueOf(config.connectTimeout().toMillis()));
        env.put("com.sun.jndi.ldap.read.timeout", String.valueOf(config.readTimeout().toMillis()));
        env.put(Context.REFERRAL, "ignore");
        env.put("java.naming.ldap.derefAliases", "never");
        if (!config.startTls()) {
            if (dn == null) {
                env.put(Context.SECURITY_AUTHENTICATION, "none");
            } else {
                env.put(Context.SECURITY_AUTHENTICATION, "simple");
                env.put(Context.SECURITY_PRINCIPAL, dn);
                env.put(Context.SECURITY_CREDENTIALS, password);
            }
            return new InitialLdapContext(env, null);
        }
        // StartTLS: connect without credentials, upgrade, then bind over the protected connection
        LdapContext ctx = new InitialLdapContext(env, null);
        try {
            StartTlsResponse tls = (StartTlsResponse) ctx.extendedOperation(new StartTlsRequest());
            tls.negotiate(tls());
        } catch (IOException e) {
            close(ctx);
            CommunicationException ce = new CommunicationException("StartTLS failed: " + e.getMessage());
            ce.setRootCause(e);
            throw ce;
        }
        if (dn != null) {
            ctx.addToEnvironment(Context.SECURITY_AUTHENTICATION, "simple");
            ctx.addToEnvironment(Context.SECURITY_PRINCIPAL, dn);
            ctx.addToEnvironment(Context.SECURITY_CREDENTIALS, password);
            try {
                ctx.reconnect(null);
            } catch (NamingException e) {
                close(ctx);
                throw e;
            }
        }
        return ctx;
    }

    private String servicePassword() {
        String password = SecretSetting.read(config.bindPasswordFile(), config.bindPassword(), "trigger.auth.ldap.bind-password-file",
                unavailable());
        return password == null ? "" : password;
    }

    /** RFC 4515: the characters that mean something in a filter, and NUL, as {@code \hh}. */
    public static String escape(String value) {
        StringBuilder out = new StringBuilder(value.length() + 8);
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            switch (c) {
                case '\\' -> out.append("\\5c");
                case '*' -> out.append("\\2a");
                case '(' -> out.append("\\28");
                case ')' -> out.append("\\29");
                case 0 -> out.append("\\00");
                default -> {
                    if (c < 0x80) {
                        out.append(c);
                    } else {
                        out.append('\\').append(String.format("%02x", (int) c));
                    }
                }
            }
        }
        return out.toString();
    }

    private static String text(Attribute a) throws NamingException {
        if (a == null || a.size() == 0) {
            return null;
        }
        Object v = a.get();
        return v instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(v);
    }

    private static boolean timedOut(NamingException e) {
        String m = e.getMessage() == null ? "" : e.getMessage().toLowerCase(java.util.Locale.ROOT);
        return m.contains("timed out") || m.contains("timeout") || e.getRootCause() instanceof java.net.SocketTimeoutException;
    }

    private static ProblemException unavailable() {
        return ProblemException.unavailable("The directory (LDAP) cannot be reached right now; local users can still sign in");
    }

    private static void close(Context ctx) {
        if (ctx != null) {
            try {
                ctx.close();
            } catch (NamingException e) {
                // closing a broken connection
            }
        }
    }
}
