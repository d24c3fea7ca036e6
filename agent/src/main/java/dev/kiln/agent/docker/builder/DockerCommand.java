package dev.kiln.agent.docker.builder;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@code docker} command line as the built-in builder reads it. {@code build}, {@code tag} and
 * {@code push} with the flags listed here run natively (docker-java); anything else sets
 * {@link #cliOnly} to the reason, and the step needs the docker CLI.
 *
 * @param buildArgs {@code --build-arg} values; a null value means "from the step's environment", as the CLI does
 * @param operands  what is left: the context of a build, SOURCE TARGET of a tag, the image of a push
 */
record DockerCommand(String subcommand, Set<String> tags, String file, Map<String, String> buildArgs,
                     Map<String, String> labels, String target, String network, boolean noCache,
                     List<String> operands, String cliOnly) {

    private static final Set<String> BUILD_VALUE_FLAGS = Set.of("-t", "--tag", "-f", "--file", "--build-arg", "--label",
            "--target", "--network");
    private static final Set<String> BUILD_SWITCHES = Set.of("--no-cache", "-q", "--quiet", "--rm", "--force-rm", "--pull=false");

    static DockerCommand parse(List<String> args) {
        if (args.isEmpty()) {
            return cli("", List.of(), "no subcommand");
        }
        String sub = args.get(0);
        List<String> rest = args.subList(1, args.size());
        return switch (sub) {
            case "build" -> build(rest);
            case "tag" -> plain(sub, rest, Set.of(), 2);
            case "push" -> plain(sub, rest, Set.of("-q", "--quiet"), 1);
            default -> cli(sub, rest, "'docker " + sub + "' has no native form");
        };
    }

    private static DockerCommand build(List<String> args) {
        Set<String> tags = new LinkedHashSet<>();
        Map<String, String> buildArgs = new LinkedHashMap<>();
        Map<String, String> labels = new LinkedHashMap<>();
        String file = null;
        String target = null;
        String network = null;
        boolean noCache = false;
        List<String> operands = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String flag = a;
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0 && BUILD_VALUE_FLAGS.contains(a.substring(0, eq))) {
                flag = a.substring(0, eq);
                value = a.substring(eq + 1);
            } else if (a.length() > 2 && (a.startsWith("-t") || a.startsWith("-f")) && !a.startsWith("--")) {
                // -tNAME, -t=NAME, as the CLI's flag parser takes them.
                flag = a.substring(0, 2);
                value = a.substring(2).startsWith("=") ? a.substring(3) : a.substring(2);
            }
            if (BUILD_VALUE_FLAGS.contains(flag)) {
                if (value == null) {
                    if (i + 1 >= args.size()) {
                        return cli("build", args, "flag " + flag + " needs a value");
                    }
                    value = args.get(++i);
                }
                switch (flag) {
                    case "-t", "--tag" -> tags.add(value);
                    case "-f", "--file" -> file = value;
                    case "--build-arg" -> put(buildArgs, value);
                    case "--label" -> put(labels, value);
                    case "--target" -> target = value;
                    case "--network" -> network = value;
                    default -> throw new IllegalStateException(flag);
                }
            } else if (BUILD_SWITCHES.contains(a)) {
                noCache |= a.equals("--no-cache");
            } else if (a.startsWith("-") && !a.equals("-")) {
                return cli("build", args, "flag " + a + " has no native form");
            } else {
                operands.add(a);
            }
        }
        String why = null;
        if (operands.size() != 1) {
            why = "'docker build' takes one context, got " + operands.size();
        } else if (operands.get(0).equals("-") || operands.get(0).contains("://") || operands.get(0).startsWith("git@")) {
            why = "a context from stdin or a URL has no native form";
        }
        return new DockerCommand("build", tags, file, buildArgs, labels, target, network, noCache, operands, why);
    }

    private static DockerCommand plain(String sub, List<String> args, Set<String> switches, int operandCount) {
        List<String> operands = new ArrayList<>();
        for (String a : args) {
            if (switches.contains(a)) {
                continue;
            }
            if (a.startsWith("-")) {
                return cli(sub, args, "flag " + a + " has no native form");
            }
            operands.add(a);
        }
        String why = operands.size() == operandCount ? null
                : "'docker " + sub + "' takes " + operandCount + " image name" + (operandCount > 1 ? "s" : "") + ", got " + operands.size();
        return new DockerCommand(sub, Set.of(), null, Map.of(), Map.of(), null, null, false, operands, why);
    }

    private static void put(Map<String, String> map, String kv) {
        int eq = kv.indexOf('=');
        if (eq < 0) {
            map.put(kv, null);
        } else {
            map.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
    }

    private static DockerCommand cli(String sub, List<String> operands, String why) {
        return new DockerCommand(sub, Set.of(), null, Map.of(), Map.of(), null, null, false, List.copyOf(operands), why);
    }
}
