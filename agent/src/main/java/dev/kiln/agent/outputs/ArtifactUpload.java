package dev.kiln.agent.outputs;

import dev.kiln.spec.protocol.AgentApi;
import dev.kiln.spec.protocol.LeaseLostException;
import dev.kiln.spec.protocol.RefusedCallException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Sends the files a step (or the build) keeps to the server, one by one. A network error is retried
 * with the file read again from its start, for as long as the lease could still be held; the server
 * refusing a file (over a size limit) ends the upload with its reason, which fails the step.
 */
public final class ArtifactUpload {
    private final AgentApi api;
    private final String buildId;
    private final String leaseId;
    private final long patienceMillis;

    public ArtifactUpload(AgentApi api, String buildId, String leaseId, long patienceMillis) {
        this.api = api;
        this.buildId = buildId;
        this.leaseId = leaseId;
        this.patienceMillis = patienceMillis;
    }

    /**
     * Finds and uploads what {@code patterns} match for step {@code step} (null: the build); each
     * warning goes to {@code say} and to the server. Returns null when all went up, else why not.
     */
    public String run(Path workspace, Integer step, List<String> patterns, Consumer<String> say) throws IOException {
        ArtifactFinder.Result found = ArtifactFinder.find(workspace, patterns);
        found.warnings().forEach(say);
        api.outputWarnings(buildId, leaseId, step, found.warnings());
        for (ArtifactFinder.Found f : found.files()) {
            try {
                upload(step, f);
            } catch (RefusedCallException e) {
                return e.getMessage();
            }
        }
        return null;
    }

    private void upload(Integer step, ArtifactFinder.Found f) throws IOException {
        long giveUp = System.currentTimeMillis() + patienceMillis;
        while (true) {
            // Opened without following links: the finder checked this very file stays in the workspace.
            try (InputStream in = Files.newInputStream(f.file(), LinkOption.NOFOLLOW_LINKS)) {
                api.uploadArtifact(buildId, leaseId, step, f.path(), f.size(), in);
                return;
            } catch (RefusedCallException | LeaseLostException e) {
                throw e;
            } catch (IOException e) {
                if (System.currentTimeMillis() > giveUp) {
                    throw e;
                }
                sleep();
            }
        }
    }

    private static void sleep() throws IOException {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while uploading an artifact", e);
        }
    }
}
