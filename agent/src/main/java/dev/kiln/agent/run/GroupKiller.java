package dev.kiln.agent.run;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Sends SIGKILL to whole process groups. Java cannot signal a group, and forking {@code kill(1)}
 * for each step would cost a process per step; so one long-lived shell reads group ids on its
 * standard input and kills them with its built-in {@code kill}.
 */
final class GroupKiller {
    private static final String LOOP = "while read g; do kill -9 -$g 2>/dev/null; done";
    private static Process shell;
    private static OutputStream input;

    private GroupKiller() {}

    static synchronized void kill(long pgid) {
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                if (shell == null || !shell.isAlive()) {
                    shell = new ProcessBuilder("/bin/sh", "-c", LOOP)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .redirectError(ProcessBuilder.Redirect.DISCARD)
                            .start();
                    input = shell.getOutputStream();
                }
                input.write((pgid + "\n").getBytes(StandardCharsets.US_ASCII));
                input.flush();
                return;
            } catch (IOException e) {
                shell = null;
            }
        }
    }
}
