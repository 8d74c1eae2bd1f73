import io.quarkus.elytron.security.common.BcryptUtil;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Raw bcrypt check rate with the same library and cost the service uses, on N threads for S seconds.
 * Run: java -cp "target/quarkus-app/lib/main/*" bench/BcryptRate.java COST THREADS SECONDS
 */
public class BcryptRate {
    public static void main(String[] args) throws Exception {
        int cost = Integer.parseInt(args[0]);
        int threads = Integer.parseInt(args[1]);
        long seconds = Long.parseLong(args[2]);
        String hash = BcryptUtil.bcryptHash("bench-password-1", cost);
        // warm-up: 3 s of checks, so the JIT has compiled them (a service that has run a while has, too)
        for (long warm = System.nanoTime() + 3_000_000_000L; System.nanoTime() < warm; ) {
            BcryptUtil.matches("bench-password-1", hash);
        }
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        Thread[] ts = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            ts[t] = new Thread(() -> {
                while (System.nanoTime() < end) {
                    if (!BcryptUtil.matches("bench-password-1", hash)) {
                        throw new IllegalStateException("bcrypt mismatch");
                    }
                    done.incrementAndGet();
                }
            });
            ts[t].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        System.out.printf("raw bcrypt cost %d, %d threads: %.1f checks/s (%.1f ms per check per thread)%n",
                cost, threads, done.get() / (double) seconds, threads * seconds * 1000.0 / done.get());
    }
}
