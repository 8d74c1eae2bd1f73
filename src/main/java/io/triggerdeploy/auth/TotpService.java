package io.triggerdeploy.auth;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.common.Signatures;
import io.triggerdeploy.db.Transactions;
import io.triggerdeploy.security.SecretBox;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * The TOTP second factor of local users: enrolment (a secret shown once, turned on by a first valid code, which also
 * makes ten one-time recovery codes), the check at login (one step either side; a code is accepted once, across
 * replicas), and removal (by the user with a valid code, or by an admin). The secret is sealed with the secrets key.
 */
@ApplicationScoped
public class TotpService {

    static final String ISSUER = "trigger-deploy";
    static final int RECOVERY_CODES = 10;
    private static final String RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";

    private final TotpRepository repository;
    private final SecretBox secrets;
    private final Transactions transactions;
    private final AuditLog audit;
    private final SecureRandom random = new SecureRandom();

    public TotpService(TotpRepository repository, SecretBox secrets, Transactions transactions, AuditLog audit) {
        this.repository = repository;
        this.secrets = secrets;
        this.transactions = transactions;
        this.audit = audit;
    }

    /** What enrolment shows once: the secret in base32, the URI an authenticator app reads, and that URI as a QR code. */
    public record Enrolment(String secret, String otpauthUri, String qrDataUri) {
    }

    private static String sealedName(long userId) {
        return "totp:" + userId;
    }

    /** Starts (or restarts) enrolment: a new secret, not in force until {@link #confirm} gets a valid code for it. */
    public Uni<Enrolment> enrol(long userId, String username, Actor actor) {
        secrets.requireEnabled("totp");
        byte[] secret = new byte[20];
        random.nextBytes(secret);
        String sealed = secrets.seal(sealedName(userId), Totp.base32(secret));
        return transactions.run(tx -> repository.begin(tx, userId, sealed).call(ok -> ok
                ? audit.record(tx, actor, null, "user.totp_enrolment_started", "user", username, null, true)
                : Uni.createFrom().voidItem())).map(ok -> {
            if (!ok) {
                throw ProblemException.conflict("Two-factor sign-in is already on; turn it off first (DELETE /api/me/totp with a code)");
            }
            String uri = Totp.uri(ISSUER, username, secret);
            return new Enrolment(Totp.base32(secret), uri, Totp.qrDataUri(uri));
        });
    }

    /** The secret being set up (not yet on), to show again; null when there is none. */
    public Uni<Enrolment> pending(long userId, String username) {
        return repository.state(userId).map(st -> {
            if (st == null || st.sealedSecret() == null || st.enabled()) {
                return null;
            }
            byte[] secret = open(userId, st.sealedSecret());
            String uri = Totp.uri(ISSUER, username, secret);
            return new Enrolment(Totp.base32(secret), uri, Totp.qrDataUri(uri));
        });
    }

    /** Turns the pending secret on with a first valid code; answers the ten recovery codes (shown this once). */
    public Uni<List<String>> confirm(long userId, String code, Actor actor) {
        return repository.state(userId).chain(st -> {
            if (st == null || st.sealedSecret() == null) {
                throw ProblemException.conflict("No enrolment is under way; start one with POST /api/me/totp");
            }
            if (st.enabled()) {
                throw ProblemException.conflict("Two-factor sign-in is already on");
            }
            OptionalLong step = Totp.match(open(userId, st.sealedSecret()), code == null ? null : code.strip(), nowStep());
            if (step.isEmpty()) {
                throw ProblemException.invalid("code", "is not the current 6-digit code of the secret (check the device's clock)");
            }
            List<String> codes = new ArrayList<>();
            List<String> hashes = new ArrayList<>();
            for (int i = 0; i < RECOVERY_CODES; i++) {
                String c = recoveryCode();
                codes.add(c);
                hashes.add(Signatures.sha256(normalise(c)));
            }
            return transactions.run(tx -> repository.confirm(tx, userId, st.sealedSecret(), step.getAsLong(), hashes).call(ok -> ok
                    ? audit.record(tx, actor, null, "user.totp_enabled", "user", actor.name(), null, true)
                    : Uni.createFrom().voidItem())).map(ok -> {
                if (!ok) {
                    throw ProblemException.conflict("The enrolment changed meanwhile; start again");
                }
                return codes;
            });
        });
    }

    /** Whether the user's second factor is on, and how many recovery codes are left. */
    public Uni<Status> status(long userId) {
        return repository.state(userId).chain(st -> st == null || !st.enabled() ? Uni.createFrom().item(new Status(false, 0))
                : repository.recoveryCodesLeft(userId).map(n -> new Status(true, n)));
    }

    @Schema(name = "TotpStatus")
    public record Status(boolean enabled, long recoveryCodesLeft) {
    }

    /**
     * Whether {@code code} (six digits, or a recovery code) proves the second factor now. Each accepted code is used up:
     * the same code, or one of an earlier step, is refused on every replica.
     */
    public Uni<Boolean> check(long userId, String code) {
        String c = code == null ? "" : code.strip();
        return repository.state(userId).chain(st -> {
            if (st == null || !st.enabled() || c.isEmpty() || c.length() > 64) {
                return Uni.createFrom().item(false);
            }
            if (c.matches("\\d{" + Totp.DIGITS + "}")) {
                OptionalLong step = Totp.match(open(userId, st.sealedSecret()), c, nowStep());
                return step.isEmpty() ? Uni.createFrom().item(false) : repository.useStep(userId, step.getAsLong());
            }
            return repository.useRecoveryCode(userId, Signatures.sha256(normalise(c)));
        });
    }

    /** The user turns their second factor off (proven with a code before this is called). */
    public Uni<Boolean> disable(long userId, Actor actor) {
        return transactions.run(tx -> repository.clear(tx, userId)
                .call(had -> audit.record(tx, actor, null, "user.totp_disabled", "user", actor.name(), null, true)));
    }

    /** An admin removes a user's second factor (a lost phone): false when it was not on. */
    public Uni<Boolean> reset(long userId, String username, Actor actor) {
        return transactions.run(tx -> repository.clear(tx, userId).call(had -> audit.record(tx, actor, null, "user.totp_reset",
                "user", username, had ? "second factor removed by an admin" : "had no second factor", true)));
    }

    /** Seals every two-factor secret under the current key (after a key rotation); how many moved. */
    public Uni<Integer> resealAll() {
        return repository.sealedSecrets().chain(all -> {
            Uni<Integer> chain = Uni.createFrom().item(0);
            for (var e : all.entrySet()) {
                if (!secrets.stale(e.getValue())) {
                    continue;
                }
                String after;
                try {
                    after = secrets.reseal(sealedName(e.getKey()), e.getValue());
                } catch (SecretBox.SecretUnavailable x) {
                    throw ProblemException.conflict("The two-factor secret of user #" + e.getKey() + ": " + x.getMessage());
                }
                chain = chain.chain(n -> repository.reseal(e.getKey(), e.getValue(), after).map(ok -> ok ? n + 1 : n));
            }
            return chain;
        });
    }

    /** A one-time challenge for a web login whose password was right and that still needs the code. */
    Uni<String> challenge(long userId) {
        byte[] b = new byte[32];
        random.nextBytes(b);
        String token = java.util.HexFormat.of().formatHex(b);
        return repository.saveChallenge(Signatures.sha256(token), userId, 300).replaceWith(token);
    }

    /** The user of a live challenge (used up now), or null. */
    Uni<Long> takeChallenge(String token) {
        if (token == null || !token.matches("[0-9a-f]{64}")) {
            return Uni.createFrom().nullItem();
        }
        return repository.takeChallenge(Signatures.sha256(token));
    }

    private byte[] open(long userId, String sealed) {
        try {
            byte[] secret = Totp.fromBase32(secrets.open(sealedName(userId), sealed));
            if (secret == null) {
                throw new IllegalStateException("stored TOTP secret is not base32");
            }
            return secret;
        } catch (SecretBox.SecretUnavailable e) {
            throw ProblemException.unavailable("The two-factor secret cannot be opened (" + e.getMessage()
                    + "); an admin can reset your second factor");
        }
    }

    private static long nowStep() {
        return Totp.step(System.currentTimeMillis() / 1000);
    }

    private String recoveryCode() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            if (i == 5) {
                sb.append('-');
            }
            sb.append(RECOVERY_ALPHABET.charAt(random.nextInt(RECOVERY_ALPHABET.length())));
        }
        return sb.toString();
    }

    static String normalise(String code) {
        return code.replaceAll("[\\s-]", "").toLowerCase(Locale.ROOT);
    }
}
