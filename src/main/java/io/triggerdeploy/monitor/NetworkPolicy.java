package io.triggerdeploy.monitor;

import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/** Which addresses checks may reach: an allow list if configured, otherwise everything outside the deny list. */
@ApplicationScoped
public class NetworkPolicy {

    /** One CIDR block. */
    record Cidr(byte[] network, int prefix, String text) {
        boolean contains(InetAddress a) {
            byte[] b = a.getAddress();
            if (b.length != network.length) {
                return false;
            }
            BigInteger mask = BigInteger.ONE.shiftLeft(b.length * 8).subtract(BigInteger.ONE)
                    .shiftRight(prefix).not().and(BigInteger.ONE.shiftLeft(b.length * 8).subtract(BigInteger.ONE));
            return new BigInteger(1, b).and(mask).equals(new BigInteger(1, network).and(mask));
        }

        static Cidr parse(String s) {
            String t = s.trim();
            int slash = t.indexOf('/');
            try {
                InetAddress a = InetAddress.getByName(slash < 0 ? t : t.substring(0, slash));
                int bits = a.getAddress().length * 8;
                int prefix = slash < 0 ? bits : Integer.parseInt(t.substring(slash + 1));
                if (prefix < 0 || prefix > bits || !t.matches("[0-9A-Fa-f:.]+(/\\d+)?")) {
                    throw new IllegalArgumentException("bad prefix in " + t);
                }
                return new Cidr(a.getAddress(), prefix, t);
            } catch (UnknownHostException | NumberFormatException e) {
                throw new IllegalArgumentException("not a CIDR block: " + t);
            }
        }
    }

    private final List<Cidr> allow;
    private final List<Cidr> deny;

    @jakarta.inject.Inject
    public NetworkPolicy(MonitorConfig config) {
        this.allow = config.allowNetworks().map(l -> l.stream().filter(x -> !x.isBlank()).map(Cidr::parse).toList()).orElse(List.of());
        this.deny = config.denyNetworks().stream().filter(x -> !x.isBlank()).map(Cidr::parse).toList();
    }

    NetworkPolicy(List<String> allow, List<String> deny) {
        this.allow = allow.stream().map(Cidr::parse).toList();
        this.deny = deny.stream().map(Cidr::parse).toList();
    }

    /** Null when the address may be checked, else why not. */
    public String refusal(InetAddress a) {
        if (!allow.isEmpty()) {
            return allow.stream().anyMatch(c -> c.contains(a)) ? null
                    : a.getHostAddress() + " is outside the allowed networks (trigger.monitor.allow-networks)";
        }
        return deny.stream().filter(c -> c.contains(a)).findFirst()
                .map(c -> a.getHostAddress() + " is in a denied network " + c.text() + " (trigger.monitor.deny-networks)")
                .orElse(null);
    }
}
