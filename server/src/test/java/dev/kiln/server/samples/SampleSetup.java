package dev.kiln.server.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.agent.docker.TestImages;
import dev.kiln.server.support.Requirements;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The level-2 sample (samples/churn-service) and the images its setup scripts make, made the way
 * its README tells a user to: by running those scripts. Each image is built once per engine and
 * reused by tag, so only the first test run on a machine pays for the Python base image.
 */
final class SampleSetup {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path SAMPLE = ROOT.resolve("samples/churn-service");
    /** Tags the sample's build.yaml uses by default. */
    static final String PYTHON_IMAGE = "kiln-samples/python-ml:bookworm";
    static final String TERRAFORM_STANDIN = "hashicorp/terraform:kiln-standin";

    private SampleSetup() {}

    /** What a command printed (stdout and stderr together) and how it exited. */
    record Run(int exitCode, String output) {
        Run ok() {
            assertThat(exitCode).as("exit code; output:%n%s", output).isZero();
            return this;
        }
    }

    /** The sample's Python base image (setup/base-image.sh: debootstrap, about 2 min the first time). */
    static synchronized String pythonImage() {
        TestImages.engine();
        Requirements.require(Files.isExecutable(Path.of("/usr/sbin/debootstrap")),
                "needs debootstrap to build the sample's base image (apt-get install debootstrap)");
        run(List.of(SAMPLE.resolve("setup/base-image.sh").toString(), PYTHON_IMAGE), SAMPLE, 900).ok();
        return PYTHON_IMAGE;
    }

    /** The Terraform stand-in image (setup/terraform-image.sh: busybox and a script; under a second). */
    static synchronized String terraformStandIn() {
        TestImages.engine();
        Requirements.require(Files.isExecutable(Path.of("/bin/busybox")),
                "needs /bin/busybox from Debian's busybox-static");
        run(List.of(SAMPLE.resolve("setup/terraform-image.sh").toString(), TERRAFORM_STANDIN), SAMPLE, 120).ok();
        return TERRAFORM_STANDIN;
    }

    /** {@code docker ARGS...} with the CLI on PATH, against the engine the tests use. */
    static Run docker(String... args) {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        return run(command, ROOT, 300);
    }

    static Run run(List<String> command, Path dir, long timeoutSeconds) {
        try {
            Path out = Files.createTempFile("kiln-sample-run", ".log");
            try {
                Process p = new ProcessBuilder(command).directory(dir.toFile())
                        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly().waitFor();
                    throw new AssertionError(command + " did not end within " + timeoutSeconds + " s:\n"
                            + Files.readString(out, StandardCharsets.UTF_8));
                }
                return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** A copy of the sample, as `kiln submit` would pack it, that containers may write into. */
    static Path workspace(Path dir) throws IOException {
        try (var files = Files.walk(SAMPLE)) {
            for (Path from : (Iterable<Path>) files::iterator) {
                Path rel = SAMPLE.relativize(from);
                if (rel.toString().contains("__pycache__")) {
                    continue;
                }
                Path to = dir.resolve(rel.toString());
                if (Files.isDirectory(from)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(from, to);
                }
            }
        }
        return dir;
    }

    /** This JVM's user as docker's {@code --user}, so files containers write stay ours to delete. */
    static String user() {
        try {
            var attrs = Files.readAttributes(Files.createTempFile("kiln-uid", ""), "unix:uid,gid");
            return attrs.get("uid") + ":" + attrs.get("gid");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
