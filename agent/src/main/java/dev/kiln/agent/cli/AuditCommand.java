package dev.kiln.agent.cli;

import dev.kiln.spec.api.AuditEntryView;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kiln audit}: who did what on the server, when and from where (admins only). */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = {"Show the server's audit log, newest first: sign-ins, tokens, users and roles, secrets (never a",
                "value), trigger runs, cancels, approvals, repos, triggers and registry logins. Needs the admin role."})
public final class AuditCommand implements Callable<Integer> {
    @Mixin
    ServerConnection connection;
    @Option(names = "--limit", paramLabel = "N", defaultValue = "50",
            description = "How many entries to show, 1 to 500 (default ${DEFAULT-VALUE}).") int limit;
    @Option(names = "--action", paramLabel = "A", description = "Only entries of this action (build.cancel, trigger.run...).")
    String action;
    @Option(names = "--before", paramLabel = "SEQ", description = "Only entries older than this SEQ (the next page).")
    Long before;

    @Override
    public Integer call() throws Exception {
        List<AuditEntryView> entries = connection.api().audit(limit, before, action);
        if (connection.json()) {
            BuildsCommand.printJson(entries);
        } else {
            table(System.out, entries);
        }
        return 0;
    }

    static void table(PrintStream out, List<AuditEntryView> entries) {
        String row = "%-6s  %-25s  %-16s  %-18s  %-24s  %-15s  %s%n";
        out.printf(row, "SEQ", "TIME", "ACTOR", "ACTION", "TARGET", "ADDRESS", "DETAIL");
        for (AuditEntryView e : entries) {
            out.printf(row, e.seq(), Output.time(e.time()), cell(e.actor()), cell(e.action()), cell(e.target()),
                    cell(e.address()), cell(e.detail()));
        }
    }

    /** One line per entry: a comment with a newline or a terminal escape must not forge rows or move the cursor. */
    static String cell(String s) {
        if (s == null || s.isEmpty()) {
            return "-";
        }
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            if (Character.isISOControl(c) || c == 0x2028 || c == 0x2029) {
                b.append(' ');
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }
}
