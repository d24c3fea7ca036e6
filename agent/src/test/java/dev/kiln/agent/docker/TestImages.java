package dev.kiln.agent.docker;

import static dev.kiln.agent.support.CiRequirement.require;

import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Set;

/**
 * The Docker engine and the images container tests run on. No image can be pulled on this machine,
 * so the base image is {@code FROM scratch} plus Debian's static busybox, built once per engine and
 * reused by tag. In CI ({@code CI=true}) a missing engine or busybox fails the test; elsewhere it
 * skips, saying why.
 */
public final class TestImages {
    /** A shell, coreutils-like applets and {@code nc}; about 2 MB. */
    public static final String BUSYBOX = "kiln-test/busybox:1";

    private static DockerEngine engine;

    private TestImages() {}

    /** The engine, or a failed (CI) / skipped (elsewhere) test. Shared by every test in the JVM. */
    public static synchronized DockerEngine engine() {
        if (engine == null) {
            DockerEngine candidate = DockerEngine.fromEnvironment();
            require(candidate.reachable(), "needs a running Docker engine (.ci/provision installs docker.io and starts dockerd)");
            engine = candidate;
        }
        return engine;
    }

    /** {@link #BUSYBOX}, built from /bin/busybox (Debian's busybox-static) if the engine lacks it. */
    public static synchronized String busybox() {
        DockerEngine docker = engine();
        Path busybox = Path.of("/bin/busybox");
        require(Files.isExecutable(busybox), "needs /bin/busybox from Debian's busybox-static");
        try {
            docker.client().inspectImageCmd(BUSYBOX).exec();
            return BUSYBOX;
        } catch (NotFoundException absent) {
            // build it below
        }
        return build(BUSYBOX, """
                FROM scratch
                COPY busybox /bin/busybox
                RUN ["/bin/busybox", "--install", "-s", "/bin"]
                CMD ["sh"]
                """, busybox);
    }

    /** An image with busybox at {@code /busybox} as its entrypoint and no {@code /bin/sh}, as distroless images are. */
    public static synchronized String withoutShell() {
        require(Files.isExecutable(Path.of("/bin/busybox")), "needs /bin/busybox from Debian's busybox-static");
        return build("kiln-test/no-shell:1", """
                FROM scratch
                COPY busybox /busybox
                ENTRYPOINT ["/busybox"]
                """, Path.of("/bin/busybox"));
    }

    /** {@link #busybox()} with {@code ENTRYPOINT ["echo", "entry"]} and {@code CMD ["default-cmd"]}. */
    public static synchronized String withEntrypoint() {
        return build("kiln-test/entrypoint:1", "FROM " + busybox() + "\nENTRYPOINT [\"echo\", \"entry\"]\nCMD [\"default-cmd\"]\n", null);
    }

    /** {@code tag}, built from {@code dockerfile} (with {@code busybox} copied into its context) if the engine lacks it. */
    private static String build(String tag, String dockerfile, Path busybox) {
        DockerEngine docker = engine();
        try {
            docker.client().inspectImageCmd(tag).exec();
            return tag;
        } catch (NotFoundException absent) {
            // build it below
        }
        try {
            Path context = Files.createTempDirectory("kiln-test-image");
            if (busybox != null) {
                Files.copy(busybox, context.resolve("busybox"), StandardCopyOption.REPLACE_EXISTING);
            }
            Files.writeString(context.resolve("Dockerfile"), dockerfile);
            docker.client().buildImageCmd(context.toFile())
                    .withTags(Set.of(tag))
                    .exec(new BuildImageResultCallback())
                    .awaitImageId();
            return tag;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
