package dev.switchboard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.service.Service;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The child's picocli-free entry takes only the simple forms and leaves the rest to picocli. */
@Timeout(10)
class HandleCommandTest {

    static int fast(String... args) {
        return HandleCommand.fastPath(args, new PrintWriter(new StringWriter()));
    }

    @Test
    void anythingButTheSimpleFormsGoesToPicocli() {
        assertThat(fast()).isEqualTo(-1);
        assertThat(fast("connect", "host")).isEqualTo(-1);
        assertThat(fast("handle")).isEqualTo(-1);
        assertThat(fast("handle", "--help")).isEqualTo(-1);
        assertThat(fast("handle", "greet", "--debug")).isEqualTo(-1);
        assertThat(fast("handle", "greet", "--message")).isEqualTo(-1);
        assertThat(fast("handle", "greet", "--message", "x", "extra")).isEqualTo(-1);
    }

    @Test
    void anUnknownServiceIsAUsageErrorOnTheFastPathToo() {
        StringWriter err = new StringWriter();
        assertThat(HandleCommand.fastPath(new String[] {"handle", "gopher"}, new PrintWriter(err, true))).isEqualTo(2);
        assertThat(err.toString()).startsWith("switchboard: unknown service 'gopher'");
    }

    @Test
    void theChildCommandRunsHandleWithTheTemplate() {
        assertThat(HandleCommand.childCommand(Service.GREET, "hi {remote}"))
                .endsWith(Main.class.getName(), "handle", "greet", "--message", "hi {remote}");
        assertThat(HandleCommand.childCommand(Service.ECHO, null)).endsWith("handle", "echo");
    }
}
