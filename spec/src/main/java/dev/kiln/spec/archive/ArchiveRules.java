package dev.kiln.spec.archive;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/**
 * The one set of rules that keeps a source archive inside its workspace, for the server that checks
 * an upload and the agent that unpacks it alike: no absolute names, no {@code ..} that climbs out,
 * no hard links, no link that leads (or could lead) out, nothing written through a link. It follows
 * the archive's own links by name, as the file system would, so an archive can be judged without
 * unpacking it. One instance judges one archive, its entries in order.
 */
public final class ArchiveRules {
    private static final Path ROOT = Path.of("/workspace");

    /** Why an entry is refused: {@code listed} in the server's list of problems, {@code message} in an error. */
    public record Problem(String listed, String message) {
        static Problem outside(String name) {
            return new Problem(name, "archive entry '" + name + "' points outside the workspace");
        }

        static Problem hardLink(String name) {
            return new Problem(name + " (hard link)", "archive entry '" + name + "' is a hard link; not allowed");
        }

        static Problem replacesWorkspace(String name) {
            return new Problem(name + " (replaces the workspace)",
                    "archive entry '" + name + "' would replace the workspace itself");
        }

        public static Problem throughLinkOut(String name) {
            return new Problem(name + " (through a link that leads outside)",
                    "archive entry '" + name + "' would be written outside the workspace");
        }

        public static Problem writeThroughLink(String name) {
            return new Problem(name + " (written through a link)", "archive entry '" + name + "' would write through a link");
        }

        static Problem linkOut(String name, String target, String why) {
            return new Problem(name + " -> " + target, "archive entry '" + name + "' is a link to '" + target
                    + "', outside the workspace or possibly so (its target " + why + ")");
        }
    }

    /**
     * An entry judged: where it lands below the workspace (names joined by '/', empty for the
     * workspace itself, as written: not through links), or why it may not.
     */
    public record Verdict(String path, Problem problem) {
        public boolean safe() {
            return problem == null;
        }
    }

    private final Map<String, String> links = new HashMap<>(); // where a link lands (resolved) -> its target

    /** Judges the next entry; a safe link is remembered, as later entries may go through it. */
    public Verdict check(TarArchiveEntry e) {
        String name = e.getName();
        Path dest = ROOT.resolve(name).normalize();
        if (Path.of(name).isAbsolute() || !dest.startsWith(ROOT) || dest.equals(ROOT) && !name.matches("\\.?/?")) {
            return refused(Problem.outside(name));
        }
        if (e.isLink() && !e.isSymbolicLink()) {
            return refused(Problem.hardLink(name));
        }
        List<String> path = new ArrayList<>();
        ROOT.relativize(dest).forEach(c -> path.add(c.toString()));
        path.removeIf(String::isEmpty);
        if (path.isEmpty()) {
            return e.isDirectory() ? new Verdict("", null) : refused(Problem.replacesWorkspace(name));
        }
        List<String> resolved = resolve(e.isDirectory() ? path : path.subList(0, path.size() - 1));
        if (resolved == null) {
            return refused(Problem.throughLinkOut(name));
        }
        Verdict safe = new Verdict(String.join("/", path), null);
        if (e.isDirectory()) {
            return safe;
        }
        String here = String.join("/", resolved) + (resolved.isEmpty() ? "" : "/") + path.get(path.size() - 1);
        if (e.isSymbolicLink()) {
            Problem p = link(name, resolved.size(), e.getLinkName());
            if (p != null) {
                return refused(p);
            }
            links.put(here, e.getLinkName());
        } else if (isRegularFile(e) && links.containsKey(here)) {
            return refused(Problem.writeThroughLink(name));
        }
        return safe;
    }

    /** A plain file: not a link of either kind, nor a device or a pipe. */
    public static boolean isRegularFile(TarArchiveEntry e) {
        return e.isFile() && !e.isSymbolicLink() && !e.isLink()
                && !e.isCharacterDevice() && !e.isBlockDevice() && !e.isFIFO();
    }

    /**
     * What is wrong with a link {@code name} to {@code target}, made in a directory {@code depth}
     * levels below the workspace (its real path); null when it cannot lead outside. Besides absolute
     * targets and ones that climb too far, a target that goes up after going down ({@code a/../b})
     * is refused: if {@code a} is, or later becomes, a link, that climb is not the one it looks like.
     */
    public static Problem link(String name, int depth, String target) {
        if (target.isEmpty()) {
            return Problem.linkOut(name, target, "is empty");
        }
        if (target.startsWith("/")) {
            return Problem.linkOut(name, target, "is absolute");
        }
        int up = 0;
        boolean down = false;
        for (String c : target.split("/")) {
            if (c.equals("..")) {
                if (down) {
                    return Problem.linkOut(name, target, "goes up after going down");
                }
                up++;
            } else if (!c.isEmpty() && !c.equals(".")) {
                down = true;
            }
        }
        return up > depth ? Problem.linkOut(name, target, "leads outside") : null;
    }

    private static Verdict refused(Problem p) {
        return new Verdict(null, p);
    }

    /**
     * Resolves {@code path} (names below the workspace) through the links seen so far, as the file
     * system would; null when it leaves the workspace (or loops).
     */
    private List<String> resolve(List<String> path) {
        Deque<String> todo = new ArrayDeque<>(path);
        List<String> at = new ArrayList<>();
        int hops = 0;
        while (!todo.isEmpty()) {
            String c = todo.pollFirst();
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                if (at.isEmpty()) {
                    return null;
                }
                at.remove(at.size() - 1);
                continue;
            }
            at.add(c);
            String target = links.get(String.join("/", at));
            if (target != null) {
                if (++hops > 40 || target.startsWith("/")) {
                    return null;
                }
                at.remove(at.size() - 1);
                String[] parts = target.split("/");
                for (int i = parts.length - 1; i >= 0; i--) {
                    todo.addFirst(parts[i]);
                }
            }
        }
        return at;
    }
}
