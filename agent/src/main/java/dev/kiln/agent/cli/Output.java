package dev.kiln.agent.cli;

import dev.kiln.spec.api.BuildView;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** How the CLI prints builds: gcloud's table columns. */
final class Output {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx").withZone(ZoneOffset.UTC);

    private Output() {}

    static void table(PrintStream out, List<BuildView> builds) {
        out.printf("%-36s  %-25s  %-8s  %s%n", "ID", "CREATE_TIME", "DURATION", "STATUS");
        for (BuildView b : builds) {
            out.printf("%-36s  %-25s  %-8s  %s%n", b.id(), TIME.format(b.createTime()), duration(b), b.status());
        }
    }

    static String duration(BuildView b) {
        if (b.startTime() == null) {
            return "-";
        }
        Instant end = b.finishTime() != null ? b.finishTime() : Instant.now();
        Duration d = Duration.between(b.startTime(), end);
        long s = d.toSeconds();
        return s >= 60 ? (s / 60) + "M" + (s % 60) + "S" : s + "S";
    }

    static String time(Instant t) {
        return t == null ? "-" : TIME.format(t);
    }
}
