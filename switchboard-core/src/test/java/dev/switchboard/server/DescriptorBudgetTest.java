package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class DescriptorBudgetTest {

    @Test
    void aHandlerNeedingOnlyItsSocketKeepsTheLimitItAskedFor() {
        assertThat(DescriptorBudget.connections(Integer.MAX_VALUE, 1)).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void aLimitTheOpenFilesLimitHasRoomForIsKept() {
        assertThat(DescriptorBudget.connections(1, 4)).isEqualTo(1);
    }

    @Test
    void moreThanTheOpenFilesLimitHasRoomForIsCutToWhatFitsWithTheReserveFree() throws Exception {
        long limit = Descriptors.softLimit();
        assumeTrue(limit > 0, "no /proc/self/limits here, or no limit");
        int allowed = DescriptorBudget.connections(Integer.MAX_VALUE, 4);
        long open = Descriptors.open();
        assertThat(allowed).isPositive();
        assertThat(open + 4L * allowed + DescriptorBudget.RESERVE).isLessThanOrEqualTo(limit + 4);
        assertThat(open + 4L * (allowed + 1) + DescriptorBudget.RESERVE).isGreaterThan(limit - 8);
    }

    @Test
    void theOpenCountSeesADescriptorOpenedAndClosed() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "no /proc here");
        long before = Descriptors.open();
        try (ServerSocketChannel ignored = ServerSocketChannel.open()) {
            assertThat(Descriptors.open()).isGreaterThan(before);
        }
    }
}
