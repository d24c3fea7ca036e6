package dev.kiln.agent.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.spec.Trickle;
import dev.kiln.spec.protocol.LeaseLostException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class LogPumpTest {
    static final int MAX = LogPump.MAX_LINE;

    final RecordingAgentApi api = new RecordingAgentApi();

    @Test
    void ordinary_output_is_passed_on_byte_for_byte() throws IOException {
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        Random random = new Random(42);
        for (int i = 0; in.size() < 3 * MAX; i++) {
            byte[] line = new byte[random.nextInt(2000)];
            random.nextBytes(line);
            for (int j = 0; j < line.length; j++) {
                if (line[j] == '\n') {
                    line[j] = '\r';
                }
            }
            in.write(line, 0, line.length);
            in.write('\n');
        }
        in.write("no newline at the end, ünïcode".getBytes(StandardCharsets.UTF_8));

        byte[] out = pump(in.toByteArray(), new LogBudget(LogBudget.DEFAULT_CAP), false);

        assertThat(out).isEqualTo(in.toByteArray());
    }

    @Test
    void a_line_longer_than_the_maximum_is_split_every_max_line_bytes_with_nothing_lost() throws IOException {
        byte[] line = pattern(3 * MAX + MAX / 2);
        byte[] in = concat("first\n".getBytes(StandardCharsets.US_ASCII), line, "\nlast\n".getBytes(StandardCharsets.US_ASCII));

        byte[] out = pump(in, new LogBudget(LogBudget.DEFAULT_CAP), false);

        byte[] expected = concat("first\n".getBytes(StandardCharsets.US_ASCII),
                Arrays.copyOfRange(line, 0, MAX), nl(),
                Arrays.copyOfRange(line, MAX, 2 * MAX), nl(),
                Arrays.copyOfRange(line, 2 * MAX, 3 * MAX), nl(),
                Arrays.copyOfRange(line, 3 * MAX, line.length),
                "\nlast\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(out).hasSize(in.length + 3);
        assertThat(out).isEqualTo(expected);
    }

    @Test
    void a_long_line_is_split_the_same_when_it_arrives_in_small_pieces() throws IOException {
        byte[] line = pattern(2 * MAX + 10);

        byte[] out = pump(line, new LogBudget(LogBudget.DEFAULT_CAP), true);

        byte[] expected = concat(Arrays.copyOfRange(line, 0, MAX), nl(),
                Arrays.copyOfRange(line, MAX, 2 * MAX), nl(),
                Arrays.copyOfRange(line, 2 * MAX, line.length));
        assertThat(out).isEqualTo(expected);
    }

    @Test
    void a_line_that_goes_past_the_maximum_in_a_later_read_is_split_where_it_crosses_it() throws IOException {
        // Reads of 1 MiB end inside the long lines: the line breaks come in a later read than their line's start.
        byte[] almost = pattern(MAX - 3);
        byte[] over = pattern(MAX + 1);
        byte[] in = concat("first\n".getBytes(StandardCharsets.US_ASCII), almost, nl(), over, nl(),
                "ok\n".getBytes(StandardCharsets.US_ASCII));
        byte[] expected = concat("first\n".getBytes(StandardCharsets.US_ASCII), almost, nl(),
                Arrays.copyOfRange(over, 0, MAX), nl(), Arrays.copyOfRange(over, MAX, MAX + 1), nl(),
                "ok\n".getBytes(StandardCharsets.US_ASCII));

        assertThat(pump(in, new LogBudget(LogBudget.DEFAULT_CAP), false)).isEqualTo(expected);
        assertThat(pump(in, new LogBudget(LogBudget.DEFAULT_CAP), true)).isEqualTo(expected);
    }

    @Test
    void a_line_of_exactly_the_maximum_is_left_whole() throws IOException {
        byte[] in = concat(pattern(MAX), nl(), pattern(MAX));

        byte[] out = pump(in, new LogBudget(LogBudget.DEFAULT_CAP), false);

        assertThat(out).isEqualTo(in);
    }

    @Test
    void past_the_cap_the_head_is_kept_then_a_notice_then_the_exact_tail() throws IOException {
        byte[] in = lines(3000);

        byte[] out = pump(in, new LogBudget(1000), false);

        assertThat(new String(out, StandardCharsets.US_ASCII)).isEqualTo(
                new String(in, 0, 500, StandardCharsets.US_ASCII)
                        + "\n[kiln] log cap reached: 2000 bytes left out; the last 500 bytes follow\n"
                        + new String(in, 2500, 500, StandardCharsets.US_ASCII));
    }

    @Test
    void the_cap_works_the_same_when_output_trickles() throws IOException {
        byte[] in = lines(3000);

        byte[] out = pump(in, new LogBudget(1000), true);

        assertThat(out).isEqualTo(pump(in, new LogBudget(1000), false));
    }

    @Test
    void output_that_fits_the_cap_gets_no_notice() throws IOException {
        byte[] in = lines(500);

        byte[] out = pump(in, new LogBudget(1000), false);

        assertThat(out).isEqualTo(in);
    }

    @Test
    void one_byte_over_the_head_gives_a_notice_with_nothing_left_out() throws IOException {
        byte[] in = lines(501);

        String out = new String(pump(in, new LogBudget(1000), false), StandardCharsets.US_ASCII);

        assertThat(out).isEqualTo(new String(in, 0, 500, StandardCharsets.US_ASCII)
                + "\n[kiln] log cap reached: 0 bytes left out; the last 1 bytes follow\n"
                + new String(in, 500, 1, StandardCharsets.US_ASCII));
    }

    @Test
    void steps_share_the_head_of_one_budget_and_each_keeps_its_own_tail() throws IOException {
        LogBudget budget = new LogBudget(1000);
        byte[] first = lines(300);
        byte[] second = lines(900);

        new LogPump(new StepLog(api, "b", "l", 0), budget).pump(new ByteArrayInputStream(first));
        new LogPump(new StepLog(api, "b", "l", 1), budget).pump(new ByteArrayInputStream(second));

        assertThat(api.bytes(0)).isEqualTo(first);
        assertThat(api.text(1)).isEqualTo(new String(second, 0, 200, StandardCharsets.US_ASCII)
                + "\n[kiln] log cap reached: 200 bytes left out; the last 500 bytes follow\n"
                + new String(second, 400, 500, StandardCharsets.US_ASCII));
    }

    @Test
    void output_of_a_real_process_arrives_whole() throws Exception {
        Process p = new ProcessBuilder("/bin/sh", "-c", "i=0; while [ $i -lt 20000 ]; do echo \"line $i\"; i=$((i+1)); done")
                .redirectErrorStream(true).start();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 20000; i++) {
            expected.append("line ").append(i).append('\n');
        }

        new LogPump(new StepLog(api, "b", "l", 0), new LogBudget(LogBudget.DEFAULT_CAP)).pump(p.getInputStream());

        assertThat(p.waitFor()).isZero();
        assertThat(api.text(0)).isEqualTo(expected.toString());
    }

    @Test
    void a_lost_lease_while_sending_ends_the_pump_and_stops_the_reading() throws Exception {
        ReadAheadTest.Endless endless = new ReadAheadTest.Endless();
        api.failNext(RecordingAgentApi.Fault.LEASE_LOST);

        assertThatThrownBy(() -> new LogPump(new StepLog(api, "b", "l", 0), new LogBudget(LogBudget.DEFAULT_CAP))
                .pump(endless)).isInstanceOf(LeaseLostException.class);

        // An output that never ends would otherwise be read (and held) forever.
        endless.reader.join(10_000);
        assertThat(endless.reader.isAlive()).isFalse();
        assertThat(api.bytes(0)).isEmpty();
    }

    @Test
    void output_written_while_a_chunk_is_being_sent_goes_out_in_the_next_chunk() throws Exception {
        ReadAheadTest.Pieces in = new ReadAheadTest.Pieces();
        CountDownLatch sending = new CountDownLatch(1);
        CountDownLatch carryOn = new CountDownLatch(1);
        // The first append waits, as a slow server would, until the step has written on.
        PartialAgentApi held = new PartialAgentApi() {
            @Override
            public long appendLog(String buildId, String leaseId, int step, long offset, byte[] data, int off, int len)
                    throws IOException {
                if (offset == 0) {
                    sending.countDown();
                    await(carryOn);
                }
                return api.appendLog(buildId, leaseId, step, offset, data, off, len);
            }
        };
        Thread pump = new Thread(() -> {
            try {
                new LogPump(new StepLog(held, "b", "l", 0), new LogBudget(LogBudget.DEFAULT_CAP)).pump(in);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        pump.start();

        in.add("epoch 1\n");
        await(sending);
        in.add("epoch 2\n");
        in.add("epoch 3\n");
        // The reader waits for a fourth piece: the second and third are in the ring, the first still being sent.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> in.reads.get() == 4);
        carryOn.countDown();
        in.end();
        pump.join(10_000);

        assertThat(pump.isAlive()).isFalse();
        assertThat(api.text(0)).isEqualTo("epoch 1\nepoch 2\nepoch 3\n");
        assertThat(api.calls()).containsExactly("0@0+8", "0@8+16");
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private byte[] pump(byte[] in, LogBudget budget, boolean trickle) throws IOException {
        RecordingAgentApi server = new RecordingAgentApi();
        InputStream stream = trickle ? new Trickle(in) : new ByteArrayInputStream(in);
        new LogPump(new StepLog(server, "b", "l", 0), budget).pump(stream);
        return server.bytes(0);
    }

    /** Numbered lines of printable text, {@code size} bytes in all. */
    private static byte[] lines(int size) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; b.length() < size; i++) {
            b.append("line ").append(i).append('\n');
        }
        return b.substring(0, size).getBytes(StandardCharsets.US_ASCII);
    }

    /** {@code size} bytes without a newline, varied so that a shifted or lost byte shows. */
    private static byte[] pattern(int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) ('a' + (i * 7 + i / 251) % 26);
        }
        return b;
    }

    private static byte[] nl() {
        return new byte[] {'\n'};
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.write(p, 0, p.length);
        }
        return out.toByteArray();
    }

}
