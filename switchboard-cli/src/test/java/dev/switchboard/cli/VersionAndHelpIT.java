package dev.switchboard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the built jar says about itself: its version and its command list. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VersionAndHelpIT {

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) throws Exception {
        Process p = new ProcessBuilder(Proc.switchboard(args))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        StringBuilder err = new StringBuilder();
        Thread errDrain = Thread.ofVirtual().start(() -> p.errorReader(StandardCharsets.UTF_8).lines()
                .forEach(l -> err.append(l).append('\n')));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        errDrain.join();
        return new Run(p.exitValue(), out, err.toString());
    }

    /** The jar knows its version: it used to say "switchboard dev", as a build from classes does. */
    @Test
    void versionIsTheProjectsVersion() throws Exception {
        String version = System.getProperty("switchboard.version");
        assertThat(version).isNotBlank();
        Run r = run("--version");
        assertThat(r).isEqualTo(new Run(0, "switchboard " + version + " (Java " + Runtime.version() + ")\n", ""));
    }
}
