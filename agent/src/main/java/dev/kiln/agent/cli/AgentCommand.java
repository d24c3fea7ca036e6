package dev.kiln.agent.cli;

import dev.kiln.agent.Agent;
import dev.kiln.agent.http.HttpAgentApi;
import dev.kiln.agent.run.BuildRunner;
import dev.kiln.agent.run.ProcessExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kiln agent}: a remote agent that pulls builds from a server. */
@Command(name = "agent", mixinStandardHelpOptions = true, description = "Run an agent that pulls builds from a Kiln server.")
public final class AgentCommand implements Callable<Integer> {
    @Option(names = "--server", required = true, description = "Server URL, e.g. http://127.0.0.1:8080.")
    String server;
    @Option(names = "--token", description = "Agent token the server printed (or KILN_AGENT_TOKEN).")
    String token;
    @Option(names = "--labels", split = ",", description = "Labels this agent offers, e.g. gpu,linux.")
    List<String> labels = List.of();
    @Option(names = "--workdir", defaultValue = "kiln-agent", description = "Where builds run and sources are cached (default ${DEFAULT-VALUE}).")
    Path workdir;
    @Option(names = "--executor", defaultValue = "process", description = "process (docker comes later).")
    String executor;
    @Option(names = "--name", defaultValue = "agent", description = "A name shown on the server.")
    String name;
    @Option(names = "--log-cap", defaultValue = "1073741824", description = "Bytes of log kept per build, head and tail (default 1 GiB).")
    long logCap;

    @Override
    public Integer call() throws Exception {
        String t = token != null ? token : System.getenv("KILN_AGENT_TOKEN");
        if (t == null || t.isBlank()) {
            System.err.println("ERROR: --token (or KILN_AGENT_TOKEN) is required: the server prints it at start");
            return 2;
        }
        if (!executor.equals("process")) {
            System.err.println("ERROR: --executor " + executor + " is not available yet; use process");
            return 2;
        }
        Files.createDirectories(workdir);
        HttpAgentApi api = new HttpAgentApi(server, t.strip());
        Agent agent = new Agent(api, new BuildRunner(api, new ProcessExecutor(), workdir.toAbsolutePath(), logCap, true), name, labels);
        Runtime.getRuntime().addShutdownHook(new Thread(agent::stop));
        System.out.println("Kiln agent " + agent.id() + " pulling builds from " + server
                + (labels.isEmpty() ? "" : " with labels " + labels));
        System.out.flush();
        agent.run();
        return 0;
    }
}
