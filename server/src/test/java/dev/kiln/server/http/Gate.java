package dev.kiln.server.http;

import static dev.kiln.server.http.BuildStreamTest.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;

/**
 * A named pipe a step reads with {@code cat}: what the test writes is what the step prints, when
 * the test writes it. Closing it ends the step's input, and so the step.
 */
final class Gate implements AutoCloseable {
    final Path path;
    private final RandomAccessFile pipe;

    Gate(Path dir, String name) throws IOException, InterruptedException {
        path = dir.resolve(name);
        Process p = new ProcessBuilder("mkfifo", "-m", "644", path.toString()).inheritIO().start();
        assertThat(p.waitFor()).as("mkfifo").isZero();
        // Read-write, so that opening does not wait for the step to open its end.
        pipe = new RandomAccessFile(path.toFile(), "rw");
    }

    void write(String text) throws IOException {
        write(utf8(text));
    }

    void write(byte[] b) throws IOException {
        pipe.write(b);
    }

    @Override
    public void close() throws IOException {
        pipe.close();
    }
}
