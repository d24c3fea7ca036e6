package dev.kiln.agent.cli;

import dev.kiln.agent.client.ApiClient;
import dev.kiln.spec.api.UserRequest;
import dev.kiln.spec.api.UserView;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code kiln users add|list|set-role|disable|enable|reset-password}: people and their roles (admins only). */
@Command(name = "users", mixinStandardHelpOptions = true,
        description = {"Manage users and their roles: viewer < developer < approver < admin (admins only).",
                "A per-repo role raises a user's role on one repo: users set-role NAME approver --repo REPO."},
        subcommands = {UsersCommand.Add.class, UsersCommand.ListUsers.class, UsersCommand.SetRole.class,
                UsersCommand.Disable.class, UsersCommand.Enable.class, UsersCommand.ResetPassword.class})
public final class UsersCommand {
    @Mixin
    ServerConnection connection;

    ApiClient api() {
        return connection.api();
    }

    /** Prints {@code u}; a generated password once, on a line of its own. */
    void print(UserView u, String what) throws Exception {
        if (connection.json()) {
            BuildsCommand.printJson(u);
            return;
        }
        System.out.println(what);
        if (u.password() != null) {
            System.out.println("Password (shown only now; they sign in with it and may change it): " + u.password());
        }
    }

    /** One line of standard input, or an error naming the option that wanted it. */
    static String line(BufferedReader in, String what) throws IOException {
        String s = in.readLine();
        if (s == null || s.isEmpty()) {
            throw new IllegalArgumentException("no " + what + " on standard input (pipe it in)");
        }
        return s;
    }

    static BufferedReader stdin() {
        return new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    }

    static String repoRoles(Map<String, String> roles) {
        return roles == null || roles.isEmpty() ? "-"
                : roles.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Add a user. Without --password-stdin the server makes a password and prints it once."})
    static final class Add implements Callable<Integer> {
        @ParentCommand UsersCommand parent;
        @Parameters(index = "0", paramLabel = "NAME") String name;
        @Option(names = "--role", required = true, paramLabel = "ROLE", description = "viewer, developer, approver or admin.")
        String role;
        @Option(names = "--password-stdin", description = "Read the password from standard input (one line, 8+ characters).")
        boolean passwordStdin;

        @Override
        public Integer call() throws Exception {
            String password = passwordStdin ? line(stdin(), "password") : null;
            UserView u = parent.api().addUser(UserRequest.add(name, role, password));
            parent.print(u, "Added " + u.name() + " as " + u.role() + ".");
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List users, their roles and per-repo roles.")
    static final class ListUsers implements Callable<Integer> {
        @ParentCommand UsersCommand parent;

        @Override
        public Integer call() throws Exception {
            List<UserView> all = parent.api().users();
            if (parent.connection.json()) {
                BuildsCommand.printJson(all);
                return 0;
            }
            System.out.printf("%-20s  %-9s  %-8s  %-25s  %s%n", "NAME", "ROLE", "STATUS", "CREATE_TIME", "REPO_ROLES");
            for (UserView u : all) {
                System.out.printf("%-20s  %-9s  %-8s  %-25s  %s%n", u.name(), u.role(), u.disabled() ? "disabled" : "enabled",
                        Output.time(u.createTime()), repoRoles(u.repoRoles()));
            }
            return 0;
        }
    }

    @Command(name = "set-role", mixinStandardHelpOptions = true,
            description = {"Set a user's role; with --repo, their role on that repo only (it raises theirs there;"
                    + " ROLE none removes it)."})
    static final class SetRole implements Callable<Integer> {
        @ParentCommand UsersCommand parent;
        @Parameters(index = "0", paramLabel = "NAME") String name;
        @Parameters(index = "1", paramLabel = "ROLE", description = "viewer, developer, approver, admin (with --repo: or none).")
        String role;
        @Option(names = "--repo", paramLabel = "REPO", description = "Only on this repo.") String repo;

        @Override
        public Integer call() throws Exception {
            if (repo == null) {
                UserView u = parent.api().changeUser(name, "role", UserRequest.role(role));
                parent.print(u, u.name() + " is now " + u.role() + ".");
            } else {
                boolean none = role.equalsIgnoreCase("none");
                UserView u = parent.api().changeUser(name, "repo-roles", UserRequest.repoRole(repo, none ? null : role));
                parent.print(u, none ? u.name() + " has no role of its own on " + repo + " now (" + u.role() + " as everywhere)."
                        : u.name() + " is now " + u.repoRoles().get(repo) + " on " + repo + " (" + u.role() + " elsewhere).");
            }
            return 0;
        }
    }

    @Command(name = "disable", mixinStandardHelpOptions = true,
            description = "Disable a user: their tokens and sign-ins stop working at once (enable brings them back).")
    static final class Disable implements Callable<Integer> {
        @ParentCommand UsersCommand parent;
        @Parameters(index = "0", paramLabel = "NAME") String name;

        @Override
        public Integer call() throws Exception {
            UserView u = parent.api().enableUser(name, false);
            parent.print(u, "Disabled " + u.name() + ": its tokens no longer work.");
            return 0;
        }
    }

    @Command(name = "enable", mixinStandardHelpOptions = true, description = "Enable a disabled user again.")
    static final class Enable implements Callable<Integer> {
        @ParentCommand UsersCommand parent;
        @Parameters(index = "0", paramLabel = "NAME") String name;

        @Override
        public Integer call() throws Exception {
            UserView u = parent.api().enableUser(name, true);
            parent.print(u, "Enabled " + u.name() + ".");
            return 0;
        }
    }

    @Command(name = "reset-password", mixinStandardHelpOptions = true,
            description = {"Set a user's password (admins: anyone's; without --password-stdin a new one is made and"
                    + " printed once).", "Your own, as a non-admin: --old-password-stdin with two lines, the old"
                    + " password and the new one."})
    static final class ResetPassword implements Callable<Integer> {
        @ParentCommand UsersCommand parent;
        @Parameters(index = "0", paramLabel = "NAME") String name;
        @Option(names = "--password-stdin", description = "Read the new password from standard input (one line).")
        boolean passwordStdin;
        @Option(names = "--old-password-stdin",
                description = "Read the old password, then the new one, from standard input (two lines).")
        boolean oldPasswordStdin;

        @Override
        public Integer call() throws Exception {
            BufferedReader in = stdin();
            String old = oldPasswordStdin ? line(in, "old password") : null;
            String password = passwordStdin || oldPasswordStdin ? line(in, "new password") : null;
            UserView u = parent.api().changeUser(name, "password", UserRequest.password(password, old));
            parent.print(u, "Set the password of " + u.name() + ".");
            return 0;
        }
    }
}
