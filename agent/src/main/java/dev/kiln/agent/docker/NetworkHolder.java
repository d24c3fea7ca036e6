package dev.kiln.agent.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.LogConfig;
import com.github.dockerjava.transport.DockerHttpClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A container that only holds a build's place on its network, so that the build's steps that never
 * run at the same time as another of its container steps join its network namespace instead of each
 * getting one of their own. The engine then skips, for every such step, what costs most in starting
 * a container: a new network namespace, its link to the bridge and the embedded DNS's set-up in it
 * (measured here: a step joining the holder starts in about 150 ms, one on the user-defined network
 * in about 370 ms, a bare {@code docker run} in about 320 ms).
 *
 * <p>The step still sees Cloud Build's network: its DNS resolves what runs on the build's network
 * (a service a step started with {@code --network cloudbuild}), and the holder carries those steps'
 * ids as its aliases, so a service reaches back to them by id. Since no two of them run at once,
 * they cannot want the same port.
 *
 * <p>No image can be pulled for it, so Kiln makes one: a 129-byte static x86-64 program that waits
 * for a signal forever, imported as {@link #IMAGE}. On an engine of another architecture there is no
 * holder and every step gets its own namespace, as before.
 */
final class NetworkHolder {
    static final String IMAGE = "kiln/network-holder:1";
    static final String PROGRAM = "/kiln-network-holder";
    /** The holder's value of {@link ContainerLabels#STEP}, in {@code docker ps}: it is no step's. */
    static final String LABEL = "(network holder)";

    private NetworkHolder() {}

    /** Starts a holder on {@code network} with {@code aliases}; returns its id. Throws when this engine cannot run it. */
    static String start(DockerEngine engine, String network, List<String> aliases, Map<String, String> labels, String buildId)
            throws IOException {
        DockerClient docker = engine.client();
        ensureImage(engine);
        var create = docker.createContainerCmd(IMAGE)
                .withName("kiln-" + buildId + "-network-" + UUID.randomUUID().toString().substring(0, 6))
                .withEntrypoint(PROGRAM)
                .withLabels(labels)
                .withHostConfig(HostConfig.newHostConfig().withNetworkMode(network)
                        .withLogConfig(new LogConfig(LogConfig.LoggingType.NONE)));
        if (!aliases.isEmpty()) {
            create.withAliases(aliases);
        }
        String id = create.exec().getId();
        try {
            docker.startContainerCmd(id).exec();
        } catch (RuntimeException e) {
            ContainerExecutor.removeLater(docker, id);
            throw e;
        }
        return id;
    }

    private static synchronized void ensureImage(DockerEngine engine) throws IOException {
        DockerClient docker = engine.client();
        try {
            docker.inspectImageCmd(IMAGE).exec();
            return;
        } catch (NotFoundException absent) {
            // made below
        }
        String arch = docker.infoCmd().exec().getArchitecture();
        if (!"x86_64".equals(arch) && !"amd64".equals(arch)) {
            throw new IOException("no network holder for an engine on " + arch);
        }
        // Over the engine's API as `docker import -` does (docker-java's import sends no body on this transport).
        int colon = IMAGE.indexOf(':');
        DockerHttpClient.Request request = DockerHttpClient.Request.builder()
                .method(DockerHttpClient.Request.Method.POST)
                .path("/images/create?fromSrc=-&repo=" + IMAGE.substring(0, colon) + "&tag=" + IMAGE.substring(colon + 1))
                .putHeader("Content-Type", "application/x-tar")
                .bodyBytes(tar(program()))
                .build();
        try (DockerHttpClient.Response r = engine.http().execute(request)) {
            String answer = new String(r.getBody().readAllBytes(), StandardCharsets.UTF_8);
            if (r.getStatusCode() != 200 || answer.contains("\"error")) {
                throw new IOException("the engine did not import " + IMAGE + ": " + EngineErrors.message(new IOException(answer)));
            }
        }
        docker.inspectImageCmd(IMAGE).exec();
    }

    private static byte[] tar(byte[] program) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            TarArchiveEntry e = new TarArchiveEntry(PROGRAM.substring(1));
            e.setMode(0100755);
            e.setSize(program.length);
            tar.putArchiveEntry(e);
            tar.write(program);
            tar.closeArchiveEntry();
        }
        return out.toByteArray();
    }

    /**
     * A static x86-64 ELF executable: one loaded segment, and code that calls {@code pause()} again
     * and again. It ignores the signals a container's first process ignores and ends at SIGKILL,
     * which is how the build's release removes it.
     */
    static byte[] program() {
        byte[] code = {
                (byte) 0xb8, 0x22, 0, 0, 0,     // mov eax, 34 (pause)
                0x0f, 0x05,                     // syscall
                (byte) 0xeb, (byte) 0xf7};      // jmp back to mov
        long base = 0x400000;
        int header = 64;
        int segment = 56;
        int size = header + segment + code.length;
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0});   // 64-bit, little-endian, SysV
        b.putShort((short) 2).putShort((short) 0x3e).putInt(1);                          // executable, x86-64, version 1
        b.putLong(base + header + segment).putLong(header).putLong(0);                  // entry, program headers, no sections
        b.putInt(0).putShort((short) header).putShort((short) segment).putShort((short) 1)
                .putShort((short) 0).putShort((short) 0).putShort((short) 0);
        b.putInt(1).putInt(5).putLong(0).putLong(base).putLong(base)                     // PT_LOAD, read + execute, whole file
                .putLong(size).putLong(size).putLong(0x1000);
        b.put(code);
        return b.array();
    }
}
