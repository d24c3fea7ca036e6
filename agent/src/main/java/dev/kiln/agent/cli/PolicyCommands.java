package dev.kiln.agent.cli;

import dev.kiln.agent.client.PromotionClient;
import dev.kiln.spec.api.PolicyRequest;
import dev.kiln.spec.api.PolicyView;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code kiln repos set-policy|policy|remove-policy}: how green builds of one branch reach another. */
final class PolicyCommands {
    private PolicyCommands() {}

    @Command(name = "set-policy", mixinStandardHelpOptions = true,
            description = {"Set a hosted repo's promotion policy (admin); replaces the one it had.",
                    "Each green build of --from opens a promotion that its gates check against the production model;"
                    + " once approved, the server fast-forwards --to (which becomes protected), --to's build runs, and"
                    + " the model registry gets a new version."})
    static final class SetPolicy implements Callable<Integer> {
        @ParentCommand ReposCommand parent;
        @Parameters(index = "0", paramLabel = "NAME") String name;
        @Option(names = "--from", required = true, paramLabel = "BRANCH", description = "The branch whose green builds are candidates.")
        String from;
        @Option(names = "--to", required = true, paramLabel = "BRANCH", description = "The production branch the server moves.")
        String to;
        @Option(names = "--require-approval", description = "A person approves each promotion (the default).")
        boolean requireApproval;
        @Option(names = "--no-approval", description = "A build that passes the gates is promoted at once.")
        boolean noApproval;
        @Option(names = "--approvals", paramLabel = "N", description = "How many approvals a promotion needs, 1 to 10 (default 1).")
        Integer approvals;
        @Option(names = "--approver-role", paramLabel = "ROLE", description = "approver (the default) or admin.")
        String approverRole;
        @Option(names = "--prevent-self-approval",
                description = "The commit's author and the build's submitter may not approve it.")
        boolean preventSelfApproval;
        @Option(names = "--expires", paramLabel = "DURATION",
                description = "A promotion not decided by then ends EXPIRED: 12h, 7d, 2w (default 30d).")
        String expires;
        @Option(names = "--gate", paramLabel = "GATE",
                description = "A metric of the build held to a threshold, repeatable: 'accuracy >= 0.80',"
                        + " 'accuracy >= production - 0.01', 'latency_p95_ms <= production * 1.10', or another metric"
                        + " of the same build: 'accuracy >= production_accuracy'.")
        List<String> gates = List.of();

        @Override
        public Integer call() throws Exception {
            if (requireApproval && noApproval) {
                System.err.println("ERROR: --require-approval and --no-approval contradict each other; give one");
                return 2;
            }
            if (noApproval && (approvals != null || approverRole != null || preventSelfApproval)) {
                System.err.println("ERROR: --approvals, --approver-role and --prevent-self-approval need approval;"
                        + " leave them out with --no-approval");
                return 2;
            }
            PolicyView p = new PromotionClient(parent.api()).setPolicy(name, new PolicyRequest(from, to, !noApproval,
                    approvals, approverRole, preventSelfApproval, expires, gates));
            return PromotionOutput.print(parent.json(), p, (o, set) -> {
                o.println("Set the promotion policy of repo [" + name + "]:");
                PromotionOutput.policy(o, set);
            });
        }
    }

    @Command(name = "policy", mixinStandardHelpOptions = true, description = "Show a repo's promotion policy.")
    static final class ShowPolicy implements Callable<Integer> {
        @ParentCommand ReposCommand parent;
        @Parameters(index = "0", paramLabel = "NAME") String name;

        @Override
        public Integer call() throws Exception {
            return PromotionOutput.print(parent.json(), new PromotionClient(parent.api()).policy(name), PromotionOutput::policy);
        }
    }

    @Command(name = "remove-policy", aliases = "unset-policy", mixinStandardHelpOptions = true,
            description = {"Remove a repo's promotion policy (admin): green builds open no more promotions.",
                    "The target branch stays protected (repos unprotect lifts that); promotions and model versions stay."})
    static final class RemovePolicy implements Callable<Integer> {
        @ParentCommand ReposCommand parent;
        @Parameters(index = "0", paramLabel = "NAME") String name;

        @Override
        public Integer call() throws Exception {
            new PromotionClient(parent.api()).removePolicy(name);
            if (parent.json()) {
                BuildsCommand.printJson(java.util.Map.of("removedPolicy", name));
            } else {
                System.out.println("Removed the promotion policy of repo [" + name + "].");
            }
            return 0;
        }
    }
}
