package dev.kiln.agent.docker;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A Unix socket that passes every byte to the real engine's socket, and that a test can close: the
 * agent then sees its engine stop mid-build, without stopping the machine's dockerd, which other
 * tests use meanwhile.
 */
public final class SocketProxy implements AutoCloseable {
    private final ServerSocketChannel server;
    private final Path target;
    private final List<SocketChannel> open = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    public SocketProxy(Path socket, Path target) throws IOException {
        Files.deleteIfExists(socket);
        this.target = target;
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread t = new Thread(this::accept, "socket-proxy");
        t.setDaemon(true);
        t.start();
    }

    /** The proxy in front of the engine this machine's tests use. */
    public static SocketProxy toEngine(Path socket) throws IOException {
        return new SocketProxy(socket, Path.of("/var/run/docker.sock"));
    }

    private void accept() {
        while (!closed) {
            try {
                SocketChannel client = server.accept();
                SocketChannel engine = SocketChannel.open(UnixDomainSocketAddress.of(target));
                open.add(client);
                open.add(engine);
                pipe(client, engine);
                pipe(engine, client);
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pipe(SocketChannel from, SocketChannel to) {
        Thread t = new Thread(() -> {
            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 16);
            try {
                while (from.read(buf) >= 0) {
                    buf.flip();
                    while (buf.hasRemaining()) {
                        to.write(buf);
                    }
                    buf.clear();
                }
                to.shutdownOutput();
            } catch (IOException e) {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "socket-proxy-pipe");
        t.setDaemon(true);
        t.start();
    }

    /** The engine is gone: no new connections, and every open one is cut. */
    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        open.forEach(SocketProxy::closeQuietly);
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
