package dev.kiln.agent.cli;

import dev.kiln.agent.client.ApiClient;
import dev.kiln.spec.api.TokenRequest;
import dev.kiln.spec.api.TokenView;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code kiln tokens create|list|revoke}: API tokens, each shown once when made. */
@Command(name = "tokens", mixinStandardHelpOptions = true,
        description = {"API tokens: for the CLI elsewhere (--token or KILN_TOKEN), scripts and CI.",
                "A token may carry less than its user's role (--role) and expire (--expires)."},
        subcommands = {TokensCommand.Create.class, TokensCommand.ListTokens.class, TokensCommand.Revoke.class})
public final class TokensCommand {
    @Mixin
    ServerConnection connection;

    ApiClient api() {
        return connection.api();
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Make a token and print it, alone on standard output, this once: TOKEN=$(kiln tokens create)."})
    static final class Create implements Callable<Integer> {
        @ParentCommand TokensCommand parent;
        @Option(names = "--name", paramLabel = "NAME", description = "What it is for (shown by tokens list).") String name;
        @Option(names = "--expires", paramLabel = "DURATION", description = "Expire after 90m, 12h, 30d, 2w... (default: never).")
        String expires;
        @Option(names = "--role", paramLabel = "ROLE",
                description = "Carry at most this role (default: the user's own, following it when it changes).")
        String role;
        @Option(names = "--user", paramLabel = "USER", description = "Admins: make it for this user.") String user;

        @Override
        public Integer call() throws Exception {
            TokenView t = parent.api().createToken(new TokenRequest(name, expires, role, user));
            if (parent.connection.json()) {
                BuildsCommand.printJson(t);
            } else {
                System.out.println(t.token());
            }
            System.err.println("Made token " + t.id() + " '" + t.name() + "' for " + t.user() + " ("
                    + (t.role() == null ? "the user's role" : "at most " + t.role()) + ", "
                    + (t.expireTime() == null ? "no expiry" : "expires " + Output.time(t.expireTime()))
                    + "). It is shown only this once; revoke it with: kiln tokens revoke " + t.id());
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List your tokens (admins: everyone's, or --user's); never the tokens themselves.")
    static final class ListTokens implements Callable<Integer> {
        @ParentCommand TokensCommand parent;
        @Option(names = "--user", paramLabel = "USER", description = "Only this user's.") String user;

        @Override
        public Integer call() throws Exception {
            List<TokenView> all = parent.api().tokens(user);
            if (parent.connection.json()) {
                BuildsCommand.printJson(all);
                return 0;
            }
            String row = "%-16s  %-20s  %-16s  %-9s  %-25s  %-25s  %s%n";
            System.out.printf(row, "ID", "NAME", "USER", "ROLE", "CREATE_TIME", "EXPIRE_TIME", "STATUS");
            long now = System.currentTimeMillis();
            for (TokenView t : all) {
                String status = t.revokeTime() != null ? "revoked"
                        : t.expireTime() != null && t.expireTime().toEpochMilli() <= now ? "expired" : "active";
                System.out.printf(row, t.id(), t.name(), t.user(), t.role() == null ? "(user's)" : t.role(),
                        Output.time(t.createTime()), Output.time(t.expireTime()), status);
            }
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a token: it stops working at once.")
    static final class Revoke implements Callable<Integer> {
        @ParentCommand TokensCommand parent;
        @Parameters(index = "0", paramLabel = "ID") String id;

        @Override
        public Integer call() throws Exception {
            TokenView t = parent.api().revokeToken(id);
            if (parent.connection.json()) {
                BuildsCommand.printJson(t);
            } else {
                System.out.println("Revoked token " + t.id() + " '" + t.name() + "' of " + t.user() + ".");
            }
            return 0;
        }
    }
}
