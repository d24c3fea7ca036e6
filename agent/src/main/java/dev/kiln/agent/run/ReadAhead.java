package dev.kiln.agent.run;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;

/**
 * A step's output read on a thread of its own into a bounded ring, while the step's thread sends
 * what is already there: the output keeps flowing while a chunk is on its way to the server, and
 * what arrives meanwhile makes the next chunk (a container's output comes in pieces of a few KiB;
 * read and sent in turn, each piece was a request, and the container waited on each).
 *
 * <p>Bytes leave in the order they were read, each once: a {@link #next} slice stays the reader's
 * until {@link #done}, and the reader writes only where nothing unsent is. Bounded: with the ring
 * full the reader stops reading, so the step blocks on its full output pipe, as it did when the
 * step's thread read it, and memory stays at the ring's size.
 */
final class ReadAhead {
    /** A contiguous run of the ring: {@code buf[off, off + len)}. */
    record Slice(byte[] buf, int off, int len) {
    }

    /** How long {@link #next} waits for more when less than {@link #GATHER_BYTES} is there. */
    static final long GATHER_NANOS = 5_000_000;
    static final int GATHER_BYTES = 256 * 1024;

    private final byte[] ring;
    /** Bytes read into the ring, and bytes the sender is done with, since the start. */
    private long written;
    private long taken;
    private boolean ended;
    /** Unsent bytes the sender waits for (0: it does not wait), and whether the reader waits for room. */
    private long wanted;
    private boolean readerWaits;
    private boolean stopped;
    private Throwable error;

    ReadAhead(int size) {
        this.ring = new byte[size];
    }

    /** Starts reading {@code in} to its end on a daemon thread; {@link #stop()} ends that early. */
    ReadAhead start(InputStream in, String threadName) {
        Thread t = new Thread(() -> fill(in), threadName);
        t.setDaemon(true);
        t.start();
        return this;
    }

    /** The reader's side: reads {@code in} into the ring until its end, a failure or {@link #stop()}. */
    void fill(InputStream in) {
        try {
            while (true) {
                int at;
                int room;
                synchronized (this) {
                    while (written - taken == ring.length && !stopped) {
                        readerWaits = true;
                        wait();
                    }
                    readerWaits = false;
                    if (stopped) {
                        return;
                    }
                    at = (int) (written % ring.length);
                    room = (int) Math.min(ring.length - at, ring.length - (written - taken));
                }
                // Outside the lock: [at, at + room) holds nothing unsent, and the sender reads only below written.
                int n = in.read(ring, at, room);
                synchronized (this) {
                    if (n < 0) {
                        ended = true;
                        notifyAll();
                        return;
                    }
                    written += n;
                    if (wanted > 0 && written - taken >= wanted) {
                        notifyAll();   // only then: a wake-up per piece of a few KiB cost more than the piece
                    }
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            synchronized (this) {
                error = e;
                ended = true;
                notifyAll();
            }
        } catch (InterruptedException e) {
            synchronized (this) {
                error = new InterruptedIOException("interrupted while reading the step's output");
                ended = true;
                notifyAll();
            }
        }
    }

    /**
     * The sender's side: waits until something is read, then returns all of it that is contiguous in
     * the ring, up to {@code max} bytes; null at the end. Throws what ended the reading early, once
     * everything read before it was taken.
     */
    synchronized Slice next(int max) throws IOException {
        try {
            while (written == taken && !ended) {
                wanted = 1;
                wait();
            }
            // A little more time for a little output: a chatty step's pieces of a few KiB make one
            // append instead of hundreds (each append costs the server a file write and its followers
            // a round), and a line is still shown within a few milliseconds.
            long until = System.nanoTime() + GATHER_NANOS;
            long left;
            while (!ended && written - taken < Math.min(max, GATHER_BYTES) && (left = until - System.nanoTime()) > 0) {
                wanted = Math.min(max, GATHER_BYTES);
                wait(left / 1_000_000, (int) (left % 1_000_000));
            }
            wanted = 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop();
            throw new InterruptedIOException("interrupted while waiting for the step's output");
        }
        if (written == taken) {
            if (error instanceof IOException io) {
                throw io;
            }
            if (error instanceof RuntimeException r) {
                throw r;
            }
            if (error instanceof Error err) {
                throw err;
            }
            return null;
        }
        int at = (int) (taken % ring.length);
        return new Slice(ring, at, (int) Math.min(max, Math.min(written - taken, ring.length - at)));
    }

    /** The sender is done with the {@code len} bytes {@link #next} gave it: the reader may reuse them. */
    synchronized void done(int len) {
        taken += len;
        if (readerWaits) {
            notifyAll();
        }
    }

    /**
     * The sender gives up (the lease is lost): the reader stops at its next turn; one blocked in a
     * read returns when its stream is closed or ends.
     */
    synchronized void stop() {
        stopped = true;
        notifyAll();
    }
}
