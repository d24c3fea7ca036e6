package dev.kiln.agent.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The named pipe a container writes its output into, read by the agent: it ends, whatever the container did. */
class LogPipeTest {
    @TempDir Path tmp;

    @Test
    void what_the_writer_wrote_is_read_to_its_end_and_a_release_after_that_changes_nothing() throws Exception {
        Path fifo = tmp.resolve("step-0.out");
        LogPipe.make(fifo);
        LogPipe.make(fifo);   // there already (a container made ahead has it bound): kept
        LogPipe.Reader reader = LogPipe.reader(fifo);
        CompletableFuture<String> read = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(reader.readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try (OutputStream w = Files.newOutputStream(fifo)) {   // opens once the reader has
            w.write("line 1\nline 2\n".getBytes(StandardCharsets.UTF_8));
        }

        assertThat(assertTimeoutPreemptively(Duration.ofSeconds(10), () -> read.get())).isEqualTo("line 1\nline 2\n");
        reader.release();
        assertThat(Files.getPosixFilePermissions(fifo)).as("the container's user may write, whoever it is")
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw--w--w-"));
    }

    @Test
    void a_reader_waiting_for_a_writer_that_never_came_is_let_go_by_the_release() {
        Path fifo = tmp.resolve("step-1.out");
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            LogPipe.make(fifo);
            LogPipe.Reader reader = LogPipe.reader(fifo);
            CompletableFuture<Integer> read = CompletableFuture.supplyAsync(() -> {
                try {
                    return reader.read(new byte[16], 0, 16);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            reader.release();   // the container ended without opening it
            assertThat(read.get()).isEqualTo(-1);
        });
    }

    @Test
    void a_release_before_any_read_ends_the_stream_at_once() throws Exception {
        Path fifo = tmp.resolve("step-2.out");
        LogPipe.make(fifo);
        LogPipe.Reader reader = LogPipe.reader(fifo);

        reader.release();

        assertThat(assertTimeoutPreemptively(Duration.ofSeconds(10), () -> reader.read(new byte[4], 0, 4))).isEqualTo(-1);
    }

    @Test
    void closing_a_reader_blocked_on_a_writer_that_holds_the_pipe_open_ends_its_read() throws Exception {
        Path fifo = tmp.resolve("step-3.out");
        LogPipe.make(fifo);
        LogPipe.Reader reader = LogPipe.reader(fifo);
        CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
            try {
                return reader.readAllBytes();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try (OutputStream w = Files.newOutputStream(fifo)) {   // a container still running, the engine gone
            w.write("partial\n".getBytes(StandardCharsets.UTF_8));
            w.flush();
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                while (!reader.opened()) {
                    Thread.onSpinWait();
                }
            });
            reader.close();
            assertThat(assertTimeoutPreemptively(Duration.ofSeconds(10), () -> read.get())).isNotNull();
        }
    }
}
