package io.triggerdeploy.ssh;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class OutputTextTest {

    @Test
    void plainTextAndTabsStayAsTheyAre() {
        assertThat(OutputText.clean("a\tb ümlaut ✓ 100%")).isEqualTo("a\tb ümlaut ✓ 100%");
    }

    @Test
    void escapeSequencesAreRemoved() {
        assertThat(OutputText.clean("\u001B[1;31mred\u001B[0m")).isEqualTo("red");
        assertThat(OutputText.clean("\u001B[2J\u001B[Hscreen")).isEqualTo("screen");
        assertThat(OutputText.clean("\u001B]0;title\u0007after")).isEqualTo("after");
        assertThat(OutputText.clean("\u001B]8;;http://127.0.0.1/\u001B\\text\u001B]8;;\u001B\\")).isEqualTo("text");
        assertThat(OutputText.clean("\u001B(Bx\u001B7y\u001B8")).isEqualTo("xy");
        assertThat(OutputText.clean("\u009B31mc1\u009B0m")).isEqualTo("c1");
        assertThat(OutputText.clean("unterminated \u001B]0;title")).isEqualTo("unterminated ");
    }

    @Test
    void otherControlsBecomeVisible() {
        assertThat(OutputText.clean("nul-\u0000-here")).isEqualTo("nul-\u2400-here");
        assertThat(OutputText.clean("50%\r60%")).isEqualTo("50%\u240D60%");
        assertThat(OutputText.clean("bell\u0007 del\u007F c1\u0085")).isEqualTo("bell\u2407 del\u2421 c1\uFFFD");
    }
}
