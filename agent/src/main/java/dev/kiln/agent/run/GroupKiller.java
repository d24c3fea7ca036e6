package dev.kiln.agent.run;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Sends SIGKILL to whole process groups. Java cannot signal a group, and forking {@code kill(1)}
 * for each step would cost a process per step; so one long-lived shell reads group ids on its
 * standard input and kills them with its built-in {@code kill}. It also remembers the groups of
 * steps still running ({@code +g}): when its input closes because this JVM died (a kill -9 of
 * the agent or the server), it kills them all, so no step outlives its agent.
 */
final class GroupKiller {
    private static final String LOOP = """
            live=' '
            while read c; do
              case $c in
                +*) live="$live${c#+} " ;;
                *) kill -9 -$c 2>/dev/null
                   case $live in *" $c "*) live="${live%% $c *} ${live#* $c }" ;; esac ;;
              esac
            done
            for g in $live; do kill -9 -$g 2>/dev/null; done
            """;
    private static Process shell;
    private static OutputStream input;

    private GroupKiller() {}

    /** A step's group started: killed with the rest if this JVM dies before the step ends. */
    static void track(long pgid) {
        send("+" + pgid);
    }

    /** Kills the group, and forgets it. */
    static void kill(long pgid) {
        send(String.valueOf(pgid));
    }

    private static synchronized void send(String line) {
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                if (shell == null || !shell.isAlive()) {
                    shell = new ProcessBuilder("/bin/sh", "-c", LOOP)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .redirectError(ProcessBuilder.Redirect.DISCARD)
                            .start();
                    input = shell.getOutputStream();
                }
                input.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
                input.flush();
                return;
            } catch (IOException e) {
                shell = null;
            }
        }
    }
}
