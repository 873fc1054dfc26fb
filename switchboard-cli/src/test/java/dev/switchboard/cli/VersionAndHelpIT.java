package dev.switchboard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the built jar says about itself: its version. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VersionAndHelpIT {

    /** The jar knows its version: it used to say "switchboard dev", as a build from classes does. */
    @Test
    void versionIsTheProjectsVersion() throws Exception {
        String version = System.getProperty("switchboard.version");
        assertThat(version).isNotBlank();
        LauncherIT.Run r = LauncherIT.run(new ProcessBuilder(Proc.switchboard("--version"))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))));
        assertThat(r).isEqualTo(new LauncherIT.Run(0, "switchboard " + version + " (Java " + Runtime.version() + ")\n", ""));
    }
}
