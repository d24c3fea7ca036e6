package dev.kiln.agent.production;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Who owns the workspace: the build user when the agent runs as root. What the agent writes into it
 * for a step is given to that user too, so that the build's later steps may replace or remove it.
 */
record Owner(int uid, int gid, boolean change) {

    static Owner of(Path workspace) throws IOException {
        int uid = (Integer) Files.getAttribute(workspace, "unix:uid");
        int gid = (Integer) Files.getAttribute(workspace, "unix:gid");
        int me = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        return new Owner(uid, gid, me == 0 && uid != 0);
    }

    void give(Path p) throws IOException {
        if (change) {
            Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(p, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
        }
    }
}
