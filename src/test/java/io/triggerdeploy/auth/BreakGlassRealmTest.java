package io.triggerdeploy.auth;

import io.quarkus.elytron.security.common.BcryptUtil;
import io.triggerdeploy.security.PasswordHasher;
import io.triggerdeploy.security.Role;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BreakGlassRealmTest {

    @Test
    void parsesUsernameHashRoleLinesAndSkipsTheRest() {
        String hash = BcryptUtil.bcryptHash("rescue-pass-1", 4);
        var entries = BreakGlassRealm.parse(List.of(
                "# comment", "", "Rescue:" + hash + ":admin", "broken-line", "x:plaintext:admin", "y:" + hash + ":root"));
        assertThat(entries).containsOnlyKeys("rescue");
        assertThat(entries.get("rescue").role()).isEqualTo(Role.ADMIN);
        assertThat(entries.get("rescue").username()).isEqualTo("Rescue");
        assertThat(new PasswordHasher(4).check("rescue-pass-1", entries.get("rescue").hash()).matches()).isTrue();
        assertThat(new PasswordHasher(4).check("rescue-pass-2", entries.get("rescue").hash()).matches()).isFalse();
    }
}
