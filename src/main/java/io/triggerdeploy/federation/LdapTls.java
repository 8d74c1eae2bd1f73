package io.triggerdeploy.federation;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS towards the directory when {@code trigger.auth.ldap.ca-file} names the CA to trust: JNDI takes an {@code ldaps://}
 * socket factory by class name (it calls {@link #getDefault()}), so the factory built from the file is held here;
 * StartTLS is given it directly. Host names are checked by JNDI (LDAPS endpoint identification, StartTLS's own check).
 * JNDI finds the LDAP provider and this factory by name: both are registered for reflection (a native image keeps them).
 */
@io.quarkus.runtime.annotations.RegisterForReflection(methods = true,
        classNames = {"com.sun.jndi.ldap.LdapCtxFactory", "io.triggerdeploy.federation.LdapTls"})
public final class LdapTls extends SSLSocketFactory {

    private static volatile SSLSocketFactory configured;

    private final SSLSocketFactory delegate;

    private LdapTls(SSLSocketFactory delegate) {
        this.delegate = delegate;
    }

    /** Called by JNDI for each {@code ldaps://} connection. */
    public static SocketFactory getDefault() {
        SSLSocketFactory f = configured;
        return new LdapTls(f == null ? (SSLSocketFactory) SSLSocketFactory.getDefault() : f);
    }

    /** A socket factory trusting exactly the certificates of a PEM file. */
    static SSLSocketFactory trusting(Path caFile) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream in = Files.newInputStream(caFile)) {
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca-" + i++, c);
            }
            if (i == 0) {
                throw new GeneralSecurityException("no certificate in " + caFile);
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx.getSocketFactory();
    }

    static void use(SSLSocketFactory factory) {
        configured = factory;
    }

    @Override
    public String[] getDefaultCipherSuites() {
        return delegate.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return delegate.getSupportedCipherSuites();
    }

    @Override
    public Socket createSocket() throws IOException {
        return delegate.createSocket();
    }

    @Override
    public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
        return delegate.createSocket(s, host, port, autoClose);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return delegate.createSocket(host, port);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return delegate.createSocket(host, port, localHost, localPort);
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return delegate.createSocket(host, port);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return delegate.createSocket(address, port, localAddress, localPort);
    }
}
