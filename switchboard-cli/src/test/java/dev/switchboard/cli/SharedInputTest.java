package dev.switchboard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class SharedInputTest {

    @Test
    void stdinGoesToTheCurrentLeaseAndItsEndToEveryLaterOne() throws Exception {
        PipedOutputStream typing = new PipedOutputStream();
        SharedInput shared = new SharedInput(new PipedInputStream(typing));
        byte[] buf = new byte[100];

        InputStream first = shared.lease();
        typing.write("one".getBytes(StandardCharsets.US_ASCII));
        typing.flush();
        assertThat(new String(buf, 0, first.read(buf), StandardCharsets.US_ASCII)).isEqualTo("one");

        // A reader blocked in a lease that is closed (its caller hung up) steps aside...
        CountDownLatch blocked = new CountDownLatch(1);
        CompletableFuture<Throwable> stuck = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            blocked.countDown();
            try {
                first.read(new byte[100]);
                stuck.complete(null);
            } catch (IOException e) {
                stuck.complete(e);
            }
        });
        t.start();
        blocked.await();
        first.close();
        assertThat(stuck.get(5, TimeUnit.SECONDS)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> first.read(buf)).isInstanceOf(IOException.class);

        // ...so what is typed next goes to the next caller, whole.
        InputStream second = shared.lease();
        typing.write("two".getBytes(StandardCharsets.US_ASCII));
        typing.close();
        assertThat(new String(second.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("two");
        assertThat(shared.lease().read(buf)).isEqualTo(-1);
    }

    @Test
    void drainingSendsWhatIsReadyThenEndsWhenStdinGoesQuiet() throws Exception {
        PipedOutputStream typing = new PipedOutputStream();
        SharedInput shared = new SharedInput(new PipedInputStream(typing));
        SharedInput.Lease lease = shared.lease();
        typing.write("ready".getBytes(StandardCharsets.US_ASCII));
        typing.flush();
        lease.drain(); // the peer is done; stdin stays open but says nothing more
        assertThat(new String(lease.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("ready");
        typing.close();
    }
}
