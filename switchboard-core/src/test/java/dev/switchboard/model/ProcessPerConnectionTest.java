package dev.switchboard.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.server.ConnectionHandler;
import dev.switchboard.service.Exec;
import dev.switchboard.service.ProtocolHandler;
import dev.switchboard.service.Service;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the fork model runs for each kind of handler, and the child's command line. */
@Timeout(10)
class ProcessPerConnectionTest {

    @Test
    void execIsAlreadyAChildPerConnectionAndIsKeptAsItIs() {
        Exec exec = Exec.of(List.of("cat"));
        assertThat(new ProcessPerConnection(List.of("child")).adapt(exec)).isSameAs(exec);
        assertThat(new ProcessPerConnection(List.of()).adapt(exec)).isSameAs(exec);
    }

    @Test
    void aBuiltInServiceRunsAsTheChildCommand() {
        ConnectionHandler greet = new ProtocolHandler(Service.GREET.factory(Service.Options.DEFAULTS));
        ConnectionHandler adapted = new ProcessPerConnection(List.of("java", "Main", "handle", "greet")).adapt(greet);
        assertThat(adapted).isInstanceOfSatisfying(Exec.class,
                e -> assertThat(e.command()).containsExactly("java", "Main", "handle", "greet"));
    }

    @Test
    void anArbitraryHandlerCannotMoveIntoAChild() {
        ConnectionHandler custom = c -> { };
        assertThatThrownBy(() -> new ProcessPerConnection(List.of()).adapt(custom))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--model");
    }

    @Test
    void theChildCommandIsThisJvmWithFastStartOptions() {
        List<String> command = ProcessPerConnection.javaCommand("dev.example.Main", List.of("handle", "echo"));
        assertThat(command.get(0)).isEqualTo(ProcessHandle.current().info().command().orElseThrow());
        assertThat(command).containsSubsequence("-cp", System.getProperty("java.class.path"), "dev.example.Main", "handle", "echo");
        assertThat(command).containsAll(ProcessPerConnection.CHILD_JVM_OPTIONS);
        assertThat(new ProcessPerConnection(List.of()).name()).isEqualTo("fork");
    }
}
