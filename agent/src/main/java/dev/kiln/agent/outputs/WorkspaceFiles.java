package dev.kiln.agent.outputs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Finds files a step left in the workspace for the agent to read and send to the server. The agent
 * may run with more rights than the step (as root, while process steps run as an unprivileged
 * user), so a symbolic link the step made must not lead the agent to read anything outside the
 * workspace: every path is resolved to its real location and refused unless that lies inside.
 */
public final class WorkspaceFiles {
    private WorkspaceFiles() {}

    /** A file the step named that does not stay in the workspace once links are followed. */
    public static final class OutsideException extends IOException {
        public OutsideException(String message) {
            super(message);
        }
    }

    /**
     * The real path of {@code relative} in {@code workspace}: a regular file inside it.
     *
     * @throws NoSuchFileException when there is no such file
     * @throws OutsideException when it (or a link on the way) leads out of the workspace, or is not a regular file
     */
    public static Path regularFile(Path workspace, String relative) throws IOException {
        Path root = workspace.toRealPath();
        Path real = root.resolve(relative).normalize().toRealPath();
        if (!real.startsWith(root)) {
            throw new OutsideException(relative + " leads outside the workspace (a symbolic link?); not read");
        }
        if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
            throw new OutsideException(relative + " is not a regular file; not read");
        }
        return real;
    }
}
