package io.triggerdeploy.ssh;

import org.apache.sshd.client.ClientBuilder;
import org.apache.sshd.common.BaseBuilder;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.kex.BuiltinDHFactories;
import org.apache.sshd.common.kex.KeyExchangeFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * The key exchanges the client offers: MINA's, with the post-quantum hybrid ML-KEM first. Where the server has it
 * (OpenSSH 9.9 and later) it is as safe as sntrup761 and far cheaper (BouncyCastle's sntrup761 was most of the
 * service's CPU while a 100-host rollout opened its connections); a server without it gets the same order as before
 * (sntrup761, then the classical ones).
 */
final class KeyExchanges {

    private KeyExchanges() {
    }

    static List<BuiltinDHFactories> preferred() {
        List<BuiltinDHFactories> kex = new ArrayList<>(BaseBuilder.DEFAULT_KEX_PREFERENCE);
        kex.remove(BuiltinDHFactories.mlkem768x25519);
        kex.add(0, BuiltinDHFactories.mlkem768x25519);
        return kex;
    }

    /** The preferred exchanges this JVM supports, as the client's factories. */
    static List<KeyExchangeFactory> factories() {
        return NamedFactory.setUpTransformedFactories(false, preferred(), ClientBuilder.DH2KEX);
    }
}
