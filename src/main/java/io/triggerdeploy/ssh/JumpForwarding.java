package io.triggerdeploy.ssh;

import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.server.forward.ForwardingFilter;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The client's forwarding policy: the only forward it makes is the loopback end of a jump host tunnel; servers may not
 * forward agents, X11 or connections back to it.
 */
final class JumpForwarding implements ForwardingFilter {

    @Override
    public boolean canForwardAgent(Session session, String requestType) {
        return false;
    }

    @Override
    public boolean canForwardX11(Session session, String requestType) {
        return false;
    }

    @Override
    public boolean canListen(SshdSocketAddress address, Session session) {
        try {
            return InetAddress.getByName(address.getHostName()).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    @Override
    public boolean canConnect(Type type, SshdSocketAddress address, Session session) {
        return false;
    }
}
