package dev.kiln.agent.cli;

import dev.kiln.agent.archive.SourceArchive;
import dev.kiln.agent.client.ApiClient;
import dev.kiln.agent.client.BuildWatcher;
import dev.kiln.spec.api.BuildView;
import dev.kiln.spec.config.BuildSpec;
import dev.kiln.spec.config.ConfigProblem;
import dev.kiln.spec.protocol.Status;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kiln submit [DIR]}: packs a directory, runs its build config on the server, and streams the log. */
@Command(name = "submit", mixinStandardHelpOptions = true,
        description = "Pack DIR (honouring .gitignore, .kilnignore, .gcloudignore), run its build config on the server and stream the log.")
public final class SubmitCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", defaultValue = ".", description = "Directory to build (default: the current one).")
    Path dir;
    @Option(names = "--config", paramLabel = "FILE",
            description = "Config file relative to DIR (default: the first of " + ConfigFiles.DEFAULT_NAMES + ").")
    String config;
    @Mixin
    SubstitutionOptions substitutions = new SubstitutionOptions();
    @Option(names = "--async", description = "Return once the build is created, without waiting.")
    boolean async;
    @Option(names = "--server", description = "Server URL (default: KILN_SERVER, else http://localhost:8080).")
    String server;
    @Option(names = "--token", description = "API token (default: KILN_TOKEN, else the admin token of a server on this machine).")
    String token;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        PrintStream err = System.err;
        if (!Files.isDirectory(dir)) {
            err.println("ERROR: " + dir + " is not a directory");
            return 2;
        }
        Map<String, String> subs;
        try {
            subs = substitutions.values();
        } catch (IllegalArgumentException e) {
            err.println("ERROR: " + e.getMessage());
            return 2;
        }
        Path configFile;
        BuildSpec spec;
        try {
            configFile = ConfigFiles.find(dir, config);
            ConfigFiles.Checked checked = ConfigFiles.check(dir, configFile, subs);
            if (!checked.errors().isEmpty() || !checked.needs().isEmpty()) {
                // Cloud Build refuses a build missing a value too; name what is missing once, not at every use.
                if (!checked.needs().isEmpty()) {
                    err.println("ERROR: " + checked.needsProblem());
                }
                for (ConfigProblem p : checked.errors()) {
                    err.println("ERROR: " + p);
                }
                return 2;
            }
            spec = checked.spec();
        } catch (java.nio.file.NoSuchFileException e) {
            err.println("ERROR: " + e.getMessage());
            return 2;
        }
        for (ConfigProblem w : spec.warnings()) {
            err.println("WARNING: " + w);
        }
        if (!async) {
            BuildWatcher.prepare();
        }
        ApiClient api = ApiClient.forCli(server, token);
        Path archive = Files.createTempFile("kiln-submit", ".tgz");
        try {
            SourceArchive.Packed packed;
            try (OutputStream o = Files.newOutputStream(archive)) {
                packed = SourceArchive.pack(dir, o);
            }
            for (String link : packed.skipped()) {
                err.println("WARNING: left out link " + link + ": it points outside " + dir);
            }
            err.printf("Creating temporary archive of %d file(s) totalling %s before compression.%n",
                    packed.files(), human(packed.bytes()));
            err.printf("Uploading tarball of [%s] (%s) ...%n", dir, human(Files.size(archive)));
            BuildView build;
            try {
                build = api.submit(archive, dir.relativize(configFile).toString(), subs);
            } catch (ApiClient.ApiException e) {
                err.println("ERROR: " + e.getMessage());
                for (String p : e.error().problems() == null ? List.<String>of() : e.error().problems()) {
                    err.println("ERROR: " + p);
                }
                return 2;
            }
            String url = api.base() + "/builds/" + build.id();
            err.println("Created [" + url + "].");
            err.println("Logs are available at [" + url + "].");
            if (async) {
                Output.table(out, List.of(build));
                return 0;
            }
            AtomicReference<BuildView> result = new AtomicReference<>();
            Thread cancelOnInterrupt = new Thread(() -> {
                if (result.get() == null) {
                    try {
                        api.cancel(build.id());
                        err.println("\nCancelled build " + build.id() + ".");
                    } catch (IOException | InterruptedException e) {
                        err.println("\nCould not cancel build " + build.id() + ": " + e.getMessage());
                    }
                }
            });
            Runtime.getRuntime().addShutdownHook(cancelOnInterrupt);
            out.println("------------------------------------- REMOTE BUILD OUTPUT --------------------------------------");
            out.println("starting build \"" + build.id() + "\"");
            BuildView end = new BuildWatcher(api, out).follow(build.id());
            result.set(end);
            out.println(BuildWatcher.RULE);
            out.println(BuildWatcher.statusLine(end));
            Output.table(out, List.of(end));
            out.flush();
            try {
                Runtime.getRuntime().removeShutdownHook(cancelOnInterrupt);
            } catch (IllegalStateException e) {
                // Already shutting down.
            }
            return end.status() == Status.SUCCESS ? 0 : 1;
        } finally {
            Files.deleteIfExists(archive);
        }
    }

    static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " bytes";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format("%.1f %s", v, units[u]);
    }
}
