package dev.kiln.agent.cli;

import dev.kiln.agent.client.ApiClient;
import dev.kiln.spec.api.ServerStatusView;
import dev.kiln.spec.json.Json;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code kiln server status}: a running server's disk use per kind, free space, builds and retention. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show a running server's disk use (database, logs, sources), free space, builds and retention.")
public final class ServerStatusCommand implements Callable<Integer> {
    @Mixin
    ServerConnection connection;

    @Override
    public Integer call() throws Exception {
        ApiClient api = connection.api();
        ServerStatusView s = api.status();
        if (connection.json()) {
            System.out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(s));
        } else {
            print(System.out, api.base(), s);
        }
        return 0;
    }

    static void print(PrintStream o, String url, ServerStatusView s) {
        ServerStatusView.Disk d = s.disk();
        ServerStatusView.Usage u = s.usage();
        ServerStatusView.Builds b = s.builds();
        o.println("Server:      " + url);
        o.println("Disk:        " + human(d.freeBytes()) + " free of " + human(d.totalBytes()) + "; new builds need "
                + human(d.minFreeBytes()) + " free (" + s.retention().minFreeDisk() + ")");
        if (d.nearlyFull()) {
            o.println("             NEARLY FULL: new builds and retries are refused until space is freed");
        }
        o.println("Data:        " + human(u.total()));
        o.printf("  %-10s %s%n", "database", human(u.database()));
        o.printf("  %-10s %s%n", "logs", human(u.logs()));
        o.printf("  %-10s %s%n", "sources", human(u.sources()));
        o.printf("  %-10s %s%n", "other", human(u.other()));
        o.println("Builds:      " + b.total() + " (" + b.queued() + " queued, " + b.working() + " working, " + b.ended()
                + " ended; " + b.kept() + " kept)");
        o.println("Retention:   " + s.retention().summary() + "; kept builds are never removed");
        ServerStatusView.Sweep w = s.lastSweep();
        o.println("Last sweep:  " + (w == null ? "none yet" : Output.time(w.time()) + ": removed " + w.builds()
                + " build(s), " + w.sources() + " source archive(s), " + w.leftovers() + " leftover file(s); freed "
                + human(w.freedBytes())));
    }

    private static String human(long bytes) {
        return dev.kiln.spec.archive.Sizes.human(bytes);
    }
}
