package io.triggerdeploy.common;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Which addresses the service may connect to on a user's behalf (service checks, notification channels): an allow
 * list if configured, otherwise everything outside the deny list. {@link #resolve} looks a host up once and checks
 * every address it has, and callers connect to the address it returns, so a second lookup cannot answer differently
 * (DNS rebinding). Each feature has its own lists under its own settings prefix.
 */
public class AddressPolicy {

    private final List<Cidr> allow;
    private final List<Cidr> deny;
    private final String prefix;

    /** {@code prefix} names the settings in refusals, e.g. {@code trigger.monitor}. */
    public AddressPolicy(List<String> allow, List<String> deny, String prefix) {
        this.allow = allow.stream().filter(x -> !x.isBlank()).map(Cidr::parse).toList();
        this.deny = deny.stream().filter(x -> !x.isBlank()).map(Cidr::parse).toList();
        this.prefix = prefix;
    }

    /** A refusal by the policy; its message says which setting refused and why. */
    public static final class Refused extends RuntimeException {
        public Refused(String message) {
            super(message, null, false, false);
        }
    }

    /** One CIDR block. */
    record Cidr(byte[] network, int prefix, String text) {
        boolean contains(InetAddress a) {
            byte[] b = a.getAddress();
            if (b.length != network.length) {
                return false;
            }
            BigInteger all = BigInteger.ONE.shiftLeft(b.length * 8).subtract(BigInteger.ONE);
            BigInteger mask = all.shiftRight(prefix).not().and(all);
            return new BigInteger(1, b).and(mask).equals(new BigInteger(1, network).and(mask));
        }

        static Cidr parse(String s) {
            String t = s.trim();
            int slash = t.indexOf('/');
            if (!t.matches("[0-9A-Fa-f:.]+(/\\d+)?")) {
                throw new IllegalArgumentException("not a CIDR block: " + t); // never a host name (no lookup here)
            }
            try {
                InetAddress a = InetAddress.getByName(slash < 0 ? t : t.substring(0, slash));
                int bits = a.getAddress().length * 8;
                int prefix = slash < 0 ? bits : Integer.parseInt(t.substring(slash + 1));
                if (prefix < 0 || prefix > bits) {
                    throw new IllegalArgumentException("bad prefix in " + t);
                }
                return new Cidr(a.getAddress(), prefix, t);
            } catch (UnknownHostException | NumberFormatException e) {
                throw new IllegalArgumentException("not a CIDR block: " + t);
            }
        }
    }

    /** Null when the address may be reached, else why not. */
    public String refusal(InetAddress a) {
        if (!allow.isEmpty()) {
            return allow.stream().anyMatch(c -> c.contains(a)) ? null
                    : a.getHostAddress() + " is outside the allowed networks (" + prefix + ".allow-networks)";
        }
        return deny.stream().filter(c -> c.contains(a)).findFirst()
                .map(c -> a.getHostAddress() + " is in a denied network " + c.text() + " (" + prefix + ".deny-networks)")
                .orElse(null);
    }

    /**
     * Looks the host up (blocking: call it on a worker) and returns its first address once every address it has
     * passed the policy; throws {@link Refused} otherwise, or {@link IllegalStateException} for an unknown host.
     */
    public InetAddress resolve(String host) {
        InetAddress[] all;
        try {
            all = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("Unknown host " + host);
        }
        for (InetAddress a : all) {
            String refusal = refusal(a);
            if (refusal != null) {
                throw new Refused(refusal);
            }
        }
        return all[0];
    }
}
