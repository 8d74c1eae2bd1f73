package io.triggerdeploy.ssh;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Nothing reaches the remote shell unquoted. */
class ShellQuoteTest {

    @Test
    void quotesPathAndEveryWord() {
        assertThat(ShellQuote.remoteCommand("/srv/it's here", "./deploy.sh --env=prod"))
                .isEqualTo("cd '/srv/it'\\''s here' && './deploy.sh' '--env=prod'");
    }

    @Test
    void refusesShellSyntaxInCommands() {
        for (String bad : List.of("./deploy.sh; rm -rf /", "a && b", "echo $(id)", "echo `id`", "a | b", "a > /etc/x",
                "x\ny", "sh -c 'id'", "a\"b", "(id)", "a & b", "")) {
            assertThat(ShellQuote.commandProblem(bad)).as(bad).isNotNull();
            assertThatThrownBy(() -> ShellQuote.remoteCommand("/srv", bad)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(ShellQuote.commandProblem("./deploy.sh main --force")).isNull();
        assertThat(ShellQuote.commandProblem("make deploy TARGET=prod")).isNull();
    }

    @Test
    void refusesPathsThatCannotBeMadeSafe() {
        assertThat(ShellQuote.pathProblem("/srv/app\n; id")).contains("control characters");
        assertThat(ShellQuote.pathProblem("-rf")).contains("'-'");
        assertThat(ShellQuote.pathProblem(" ")).isNotNull();
        assertThat(ShellQuote.pathProblem("/srv/$(id)/`x`; y")).isNull(); // harmless once quoted
    }

    @Test
    void aQuotedHostilePathIsJustADirectoryNameToTheShell() throws Exception {
        Path base = Files.createTempDirectory("quote");
        Path hostile = Files.createDirectories(base.resolve("$(touch pwned) `touch pwned2`; touch pwned3 'q'"));
        Process p = new ProcessBuilder("/bin/sh", "-c", ShellQuote.remoteCommand(hostile.toString(), "pwd"))
                .directory(base.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertThat(p.waitFor()).isZero();
        assertThat(out).isEqualTo(hostile.toString());
        assertThat(base.resolve("pwned")).doesNotExist();
        assertThat(base.resolve("pwned2")).doesNotExist();
        assertThat(base.resolve("pwned3")).doesNotExist();
    }
}
