package dev.kiln.agent.cli;

import dev.kiln.agent.client.NotificationClient;
import dev.kiln.spec.api.DeliveryView;
import dev.kiln.spec.api.NotificationRequest;
import dev.kiln.spec.api.NotificationView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code kiln notifications add|list|remove|deliveries}: webhooks told of promotions and failing production builds. */
@Command(name = "notifications", mixinStandardHelpOptions = true,
        description = {"Webhooks the server posts promotion events to (signed JSON, or a Slack message), for admins.",
                "Failed deliveries are retried with back-off: 10 s, 30 s, 2 min, 10 min, 1 h."},
        subcommands = {NotificationsCommand.Add.class, NotificationsCommand.ListHooks.class, NotificationsCommand.Remove.class,
                NotificationsCommand.Deliveries.class})
public final class NotificationsCommand {
    @Mixin
    ServerConnection connection;

    NotificationClient hooks() {
        return new NotificationClient(connection.api());
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Add a hook: every event (or those named with --event) of every repo (or --repo's) is posted to URL.",
                    "Prints the hook's secret once: the receiver checks X-Kiln-Signature with it."})
    static final class Add implements Callable<Integer> {
        @ParentCommand NotificationsCommand parent;
        @Parameters(index = "0", paramLabel = "URL", description = "http:// or https:// URL to post to.") String url;
        @Option(names = "--slack", description = "Post a Slack-compatible message ({\"text\": ...}) instead of Kiln's JSON.")
        boolean slack;
        @Option(names = "--event", paramLabel = "EVENT", description = "Only this event (repeatable): promotion.awaiting_approval,"
                + " promotion.gates_failed, promotion.promoted, promotion.failed, promotion.rejected, promotion.expired,"
                + " promotion.superseded, production.build_failed.")
        List<String> events = new ArrayList<>();
        @Option(names = "--repo", paramLabel = "REPO", description = "Only this repo's events (default: every repo).") String repo;

        @Override
        public Integer call() throws Exception {
            NotificationView h = parent.hooks().add(new NotificationRequest(url, slack, events, repo));
            if (parent.connection.json()) {
                BuildsCommand.printJson(h);
            } else {
                System.out.println("Added notification hook " + h.id() + " for " + h.url() + ".");
                System.out.println("Secret (shown once; the receiver verifies X-Kiln-Signature with it): " + h.secret());
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List notification hooks (never their secrets).")
    static final class ListHooks implements Callable<Integer> {
        @ParentCommand NotificationsCommand parent;

        @Override
        public Integer call() throws Exception {
            List<NotificationView> all = parent.hooks().list();
            if (parent.connection.json()) {
                BuildsCommand.printJson(all);
                return 0;
            }
            System.out.printf("%-5s  %-6s  %-16s  %-40s  %s%n", "ID", "BODY", "REPO", "EVENTS", "URL");
            for (NotificationView h : all) {
                System.out.printf("%-5s  %-6s  %-16s  %-40s  %s%n", h.id(), h.slack() ? "slack" : "json",
                        h.repo() == null ? "(all)" : h.repo(), h.events().isEmpty() ? "(all)" : String.join(",", h.events()),
                        h.url());
            }
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = "Remove a hook; deliveries it was still owed end GAVE_UP.")
    static final class Remove implements Callable<Integer> {
        @ParentCommand NotificationsCommand parent;
        @Parameters(index = "0", paramLabel = "ID") String id;

        @Override
        public Integer call() throws Exception {
            parent.hooks().remove(id);
            if (parent.connection.json()) {
                BuildsCommand.printJson(Map.of("removed", id));
            } else {
                System.out.println("Removed notification hook " + id + ".");
            }
            return 0;
        }
    }

    @Command(name = "deliveries", mixinStandardHelpOptions = true,
            description = "Recent deliveries, newest first: state, attempts, the receiver's last answer.")
    static final class Deliveries implements Callable<Integer> {
        @ParentCommand NotificationsCommand parent;
        @Option(names = "--limit", defaultValue = "20", paramLabel = "N", description = "How many (default ${DEFAULT-VALUE}, at most 500).")
        int limit;

        @Override
        public Integer call() throws Exception {
            List<DeliveryView> all = parent.hooks().deliveries(limit);
            if (parent.connection.json()) {
                BuildsCommand.printJson(all);
                return 0;
            }
            System.out.printf("%-6s  %-5s  %-28s  %-16s  %-9s  %-8s  %-25s  %s%n", "ID", "HOOK", "EVENT", "REPO", "STATE",
                    "ATTEMPTS", "CREATE_TIME", "LAST");
            for (DeliveryView d : all) {
                String last = d.lastStatus() != null ? "HTTP " + d.lastStatus() : d.lastError() != null ? d.lastError() : "-";
                if ("PENDING".equals(d.state()) && d.nextAttemptTime() != null) {
                    last += " (next " + Output.time(d.nextAttemptTime()) + ")";
                }
                System.out.printf("%-6s  %-5s  %-28s  %-16s  %-9s  %-8s  %-25s  %s%n", d.id(), d.hookId(), d.event(),
                        d.repo() == null ? "-" : d.repo(), d.state(), d.attempts().size(), Output.time(d.createTime()), last);
            }
            return 0;
        }
    }
}
