package dev.kiln.agent.cli;

import dev.kiln.spec.api.WhoAmIView;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code kiln whoami}: who the token stands for, and what it may do. */
@Command(name = "whoami", mixinStandardHelpOptions = true,
        description = "Show the user the token belongs to, the role it carries, per-repo roles, and the token's cap and expiry.")
public final class WhoamiCommand implements Callable<Integer> {
    @Mixin
    ServerConnection connection;

    @Override
    public Integer call() throws Exception {
        WhoAmIView w = connection.api().whoami();
        if (connection.json()) {
            BuildsCommand.printJson(w);
            return 0;
        }
        System.out.println("user:       " + w.name() + (w.userRole() == null ? "" : " (" + w.userRole() + ")"));
        System.out.println("role:       " + w.role() + (w.userRole() != null && !w.userRole().equals(w.role())
                ? " (this token's cap)" : ""));
        System.out.println("repo roles: " + UsersCommand.repoRoles(w.repoRoles()));
        if (w.tokenId() != null) {
            System.out.println("token:      " + w.tokenId() + ", " + (w.tokenRole() == null ? "the user's role"
                    : "at most " + w.tokenRole()) + ", " + (w.tokenExpireTime() == null ? "no expiry"
                    : "expires " + Output.time(w.tokenExpireTime())));
        }
        return 0;
    }
}
