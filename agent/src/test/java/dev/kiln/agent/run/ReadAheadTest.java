package dev.kiln.agent.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ReadAheadTest {

    @Test
    void every_byte_comes_out_once_and_in_order_across_many_turns_of_the_ring() throws Exception {
        byte[] data = new byte[1_000_000];
        new Random(1).nextBytes(data);
        Random sizes = new Random(2);
        InputStream in = new InputStream() {
            int pos;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos == data.length) {
                    return -1;
                }
                int n = Math.min(Math.min(len, 1 + sizes.nextInt(100)), data.length - pos);
                System.arraycopy(data, pos, b, off, n);
                pos += n;
                return n;
            }
        };
        ReadAhead ahead = new ReadAhead(64).start(in, "test-read");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Random takes = new Random(3);

        ReadAhead.Slice s;
        while ((s = ahead.next(1 + takes.nextInt(40))) != null) {
            out.write(s.buf(), s.off(), s.len());
            ahead.done(s.len());
        }

        assertThat(out.toByteArray()).isEqualTo(data);
    }

    @Test
    void a_full_ring_stops_the_reading_until_the_sender_is_done_with_its_bytes() throws Exception {
        Endless in = new Endless();
        ReadAhead ahead = new ReadAhead(8);
        Thread reader = new Thread(() -> ahead.fill(in), "test-read");
        reader.start();

        await().atMost(Duration.ofSeconds(10)).until(() -> reader.getState() == Thread.State.WAITING);
        assertThat(in.served.get()).isEqualTo(8);

        ReadAhead.Slice s = ahead.next(100);
        assertThat(Arrays.copyOfRange(s.buf(), s.off(), s.off() + s.len())).isEqualTo(Endless.bytes(0, 8));
        // Taken but not yet sent: still not to be overwritten.
        assertThat(reader.getState()).isEqualTo(Thread.State.WAITING);
        assertThat(in.served.get()).isEqualTo(8);

        ahead.done(3);
        await().atMost(Duration.ofSeconds(10)).until(() -> in.served.get() == 11 && reader.getState() == Thread.State.WAITING);
        ahead.done(5);
        s = ahead.next(3);
        // From the ring's start again: the 3 bytes read into the room the first done(3) made.
        assertThat(s.off()).isZero();
        assertThat(Arrays.copyOfRange(s.buf(), s.off(), s.off() + s.len())).isEqualTo(Endless.bytes(8, 3));

        ahead.stop();
        reader.join(10_000);
        assertThat(reader.isAlive()).isFalse();
    }

    @Test
    void what_arrives_while_a_chunk_is_being_sent_goes_out_together_as_the_next_one() throws Exception {
        Pieces in = new Pieces();
        ReadAhead ahead = new ReadAhead(16).start(in, "test-read");

        in.add("a");
        ReadAhead.Slice first = ahead.next(100);
        assertThat(text(first)).isEqualTo("a");
        // While "a" is being sent, the step writes on and the reader keeps reading.
        in.add("bb");
        in.add("ccc");
        // The reader waits for a fourth piece: it has put the first three in the ring.
        await().atMost(Duration.ofSeconds(10)).until(() -> in.reads.get() == 4);
        ahead.done(first.len());

        ReadAhead.Slice second = ahead.next(100);
        assertThat(text(second)).isEqualTo("bbccc");
        ahead.done(second.len());

        in.end();
        assertThat(ahead.next(100)).isNull();
    }

    @Test
    void a_failed_read_is_reported_after_the_bytes_read_before_it() throws Exception {
        InputStream in = new InputStream() {
            boolean once;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (once) {
                    throw new IOException("the engine went away");
                }
                once = true;
                b[off] = 'x';
                return 1;
            }
        };
        ReadAhead ahead = new ReadAhead(16).start(in, "test-read");

        ReadAhead.Slice s = ahead.next(100);
        assertThat(text(s)).isEqualTo("x");
        ahead.done(s.len());

        assertThatThrownBy(() -> ahead.next(100)).isInstanceOf(IOException.class).hasMessage("the engine went away");
    }

    private static String text(ReadAhead.Slice s) {
        return new String(s.buf(), s.off(), s.len(), StandardCharsets.US_ASCII);
    }

    /** Never ends, never blocks: the byte at position i is (byte) i. Counts what it handed out. */
    static final class Endless extends InputStream {
        final AtomicLong served = new AtomicLong();
        volatile Thread reader;

        @Override
        public int read() {
            throw new UnsupportedOperationException();
        }

        @Override
        public int read(byte[] b, int off, int len) {
            reader = Thread.currentThread();
            long at = served.get();
            System.arraycopy(bytes(at, len), 0, b, off, len);
            served.addAndGet(len);
            return len;
        }

        static byte[] bytes(long from, int len) {
            byte[] b = new byte[len];
            for (int i = 0; i < len; i++) {
                b[i] = (byte) (from + i);
            }
            return b;
        }
    }

    /** Hands out the pieces added, one per read, waiting for the next; {@link #end()} ends it. */
    static final class Pieces extends InputStream {
        private static final byte[] END = new byte[0];
        private final BlockingQueue<byte[]> pieces = new LinkedBlockingQueue<>();
        /** Reads begun: a reader begins one only after it has put what the one before returned in the ring. */
        final AtomicInteger reads = new AtomicInteger();

        void add(String piece) {
            pieces.add(piece.getBytes(StandardCharsets.US_ASCII));
        }

        void end() {
            pieces.add(END);
        }

        @Override
        public int read() {
            throw new UnsupportedOperationException();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            reads.incrementAndGet();
            try {
                byte[] p = pieces.take();
                if (p == END) {
                    return -1;
                }
                System.arraycopy(p, 0, b, off, p.length);
                return p.length;
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
        }
    }
}
