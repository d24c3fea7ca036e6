package dev.kiln.agent.docker;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A named pipe in the build's scratch directory that a step container writes its output into,
 * bind-mounted at {@link #INSIDE}: the container's shell sends the step's stdout and stderr there
 * ({@link ContainerSpec#piped}) and the agent reads it, so that the engine copies none of it. (The
 * engine's own copy, from the container's pipes to an attach stream, took 1.3 s of CPU per 200 MB
 * here and capped a step's log at 75-90 MB/s; through the pipe the same output comes at about
 * 130 MB/s.) Only for an engine on this machine, which sees the agent's files.
 *
 * <p>The reader opens the pipe on its first read, which waits for the container to open it. A
 * container that ends without ever opening it (it was stopped at once) would leave that open waiting
 * forever, so the step's end {@link Reader#release releases} a reader that is still waiting.
 */
final class LogPipe {
    static final String INSIDE = "/kiln/output";

    private interface C extends Library {
        int mkfifo(String path, int mode);
    }

    private static final C LIBC = load();

    private LogPipe() {}

    private static C load() {
        try {
            return Native.load("c", C.class);
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return null;
        }
    }

    /** Whether named pipes can be made here. */
    static boolean available() {
        return LIBC != null;
    }

    /** Makes a named pipe at {@code path} unless there is one (a container made ahead for the step has it bound). */
    static void make(Path path) throws IOException {
        if (Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            if (Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS).isOther()) {
                return;
            }
            Files.delete(path);
        }
        if (LIBC.mkfifo(path.toString(), 0600) != 0) {
            throw new IOException("could not make the named pipe " + path + " (errno " + Native.getLastError() + ")");
        }
        // Writable by the container's user, whoever that is (mkfifo's mode is cut by the umask); the
        // scratch directory keeps others out.
        Files.setPosixFilePermissions(path, java.nio.file.attribute.PosixFilePermissions.fromString("rw--w--w-"));
    }

    /** The reading end of the pipe at {@code path}. */
    static Reader reader(Path path) {
        return new Reader(path);
    }

    static final class Reader extends InputStream {
        private final Path path;
        private final Object lock = new Object();
        private boolean opening;
        private boolean opened;
        private boolean released;
        private volatile boolean closed;
        private volatile FileChannel channel;

        private Reader(Path path) {
            this.path = path;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            FileChannel ch = open();
            if (ch == null) {
                return -1;
            }
            try {
                return ch.read(ByteBuffer.wrap(b, off, len));
            } catch (ClosedChannelException e) {
                return -1;   // closed by the step's end while the engine was away: the output ends here
            }
        }

        private FileChannel open() throws IOException {
            if (channel != null || closed) {
                return closed ? null : channel;
            }
            synchronized (lock) {
                if (released) {
                    return null;
                }
                opening = true;
            }
            // Waits for the container to open its end (or for release() to open one in its stead).
            FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
            synchronized (lock) {
                opened = true;
            }
            channel = ch;
            if (closed) {
                ch.close();
                return null;
            }
            return ch;
        }

        /** Whether the container's end of the pipe was opened (the reader got through its open). */
        boolean opened() {
            synchronized (lock) {
                return opened;
            }
        }

        /**
         * The container has ended: a read still waiting for it to open the pipe is let go (with
         * nothing to read). One that opened it reads to the end of what the container wrote.
         */
        void release() {
            synchronized (lock) {
                if (opened) {
                    return;
                }
                released = true;
                if (!opening) {
                    return;
                }
            }
            // The reader waits in open (or is about to): opening the other end lets it through, and
            // closing it at once gives it the end of the stream.
            try (FileChannel w = FileChannel.open(path, StandardOpenOption.WRITE)) {
                // nothing to write
            } catch (IOException gone) {
                // the pipe is gone with the build: nothing waits on it
            }
        }

        @Override
        public void close() {
            closed = true;
            FileChannel ch = channel;
            if (ch != null) {
                try {
                    ch.close();   // a read blocked on it returns
                } catch (IOException ignored) {
                    // closed already
                }
            } else {
                release();
            }
        }
    }
}
