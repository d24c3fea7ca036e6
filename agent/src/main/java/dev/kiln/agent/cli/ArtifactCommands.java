package dev.kiln.agent.cli;

import dev.kiln.agent.client.ApiClient;
import dev.kiln.spec.api.ArtifactView;
import dev.kiln.spec.archive.Sizes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code kiln builds artifacts ID} and {@code kiln builds download ID PATH [-o FILE]}. */
final class ArtifactCommands {
    private ArtifactCommands() {}

    @Command(name = "artifacts", mixinStandardHelpOptions = true,
            description = "List the files a build kept, with size and SHA-256.")
    static final class ListArtifacts implements Callable<Integer> {
        @ParentCommand BuildsCommand parent;
        @Parameters(index = "0", paramLabel = "ID") String id;

        @Override
        public Integer call() throws Exception {
            List<ArtifactView> all = parent.api().artifacts(id);
            if (parent.json()) {
                BuildsCommand.printJson(all);
                return 0;
            }
            if (all.isEmpty()) {
                System.out.println("build " + id + " kept no artifacts");
                return 0;
            }
            int width = Math.max(4, all.stream().mapToInt(a -> a.path().length()).max().orElse(4));
            System.out.printf("%-" + width + "s  %10s  %-64s  %s%n", "PATH", "SIZE", "SHA256", "STEP");
            for (ArtifactView a : all) {
                System.out.printf("%-" + width + "s  %10s  %-64s  %s%n", a.path(), Sizes.human(a.size()), a.sha256(),
                        a.step() == null ? "(build)" : a.step());
            }
            return 0;
        }
    }

    @Command(name = "download", mixinStandardHelpOptions = true,
            description = {"Download one artifact of a build, checked against its SHA-256.",
                    "Saved under its own name in the current directory unless -o says where ('-': standard output)."})
    static final class Download implements Callable<Integer> {
        @ParentCommand BuildsCommand parent;
        @Parameters(index = "0", paramLabel = "ID") String id;
        @Parameters(index = "1", paramLabel = "PATH", description = "As `kiln builds artifacts ID` lists it.") String path;
        @Option(names = {"-o", "--output"}, paramLabel = "FILE") String output;

        @Override
        public Integer call() throws Exception {
            ApiClient.Download d = parent.api().download(id, path);
            if ("-".equals(output)) {
                try (InputStream in = d.body()) {
                    in.transferTo(System.out);
                }
                System.out.flush();
                return 0;
            }
            Path target = Path.of(output != null ? output : path.substring(path.lastIndexOf('/') + 1));
            Path dir = target.toAbsolutePath().getParent();
            Path part = Files.createTempFile(dir, ".kiln-download-", ".part");
            try {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                long size;
                try (InputStream in = d.body(); OutputStream out = new DigestOutputStream(Files.newOutputStream(part), sha)) {
                    size = in.transferTo(out);
                }
                String got = HexFormat.of().formatHex(sha.digest());
                if (d.sha256() != null && !d.sha256().equals(got)) {
                    throw new IOException("the download of " + path + " does not match its SHA-256 (expected " + d.sha256()
                            + ", got " + got + "); nothing saved");
                }
                Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
                System.out.println("saved " + target + " (" + Sizes.human(size) + ", sha256 " + got + ")");
            } finally {
                Files.deleteIfExists(part);
            }
            return 0;
        }
    }
}
