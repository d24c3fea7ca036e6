package dev.kiln.server.git;

import java.io.IOException;
import java.text.MessageFormat;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.internal.JGitText;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.FetchResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.transport.TrackingRefUpdate;

/**
 * One JGit fetch into a mirror, and which refs it asks for: all branches and tags, or only those a
 * webhook or a poll's ls-remote named. {@link Repos} holds the lock, records and applies the moves.
 */
final class MirrorFetch {
    private MirrorFetch() {}

    static final int TIMEOUT_SECONDS = 120;

    /** Past this many refs moved at once, one fetch of everything is simpler for both sides than a list of names. */
    static final int MAX_NAMED_REFS = 64;

    static final List<RefSpec> ALL = List.of(new RefSpec("+refs/heads/*:refs/heads/*"),
            new RefSpec("+refs/tags/*:refs/tags/*"));

    /** A ref asked for by name that the remote does not have: not an error of the repo, a cue to fetch it all. */
    static final class RemoteLacks extends IOException {
        RemoteLacks(String ref) {
            super("the remote has no " + ref);
        }
    }

    /**
     * The refspecs fetching exactly {@code refs}, null when they should not be named one by one: none,
     * too many, or one that is not a branch or tag.
     */
    static List<RefSpec> named(Collection<String> refs) {
        boolean plain = !refs.isEmpty() && refs.size() <= MAX_NAMED_REFS && refs.stream().allMatch(r ->
                (r.startsWith("refs/heads/") || r.startsWith("refs/tags/")) && Repository.isValidRefName(r));
        return plain ? refs.stream().sorted().map(r -> new RefSpec("+" + r + ":" + r)).toList() : null;
    }

    /**
     * Fetches {@code specs} from {@code url} into {@code db} and returns what moved (or, in a dry run,
     * what would move: the objects are downloaded, the refs left as they are). A named ref that the
     * remote lacks throws {@link RemoteLacks} when deletions are not mirrored (a named fetch).
     */
    static List<RefUpdate> run(Repository db, String url, CredentialsProvider credentials, List<RefSpec> specs,
                               boolean removeDeleted, TagOpt tags, boolean dryRun) throws IOException, GitAPIException {
        var fetch = Git.wrap(db).fetch().setRemote(url).setRemoveDeletedRefs(removeDeleted).setTagOpt(tags)
                .setTimeout(TIMEOUT_SECONDS).setRefSpecs(specs).setDryRun(dryRun);
        if (credentials != null) {
            fetch.setCredentialsProvider(credentials);
        }
        FetchResult result;
        try {
            result = fetch.call();
        } catch (TransportException e) {
            if (!removeDeleted) {
                for (RefSpec s : specs) {
                    if (MessageFormat.format(JGitText.get().remoteDoesNotHaveSpec, s.getSource()).equals(e.getMessage())) {
                        throw new RemoteLacks(s.getSource());
                    }
                }
            }
            throw e;
        }
        List<RefUpdate> moved = new ArrayList<>();
        for (TrackingRefUpdate u : result.getTrackingRefUpdates()) {
            if (!u.getOldObjectId().equals(u.getNewObjectId())) {
                moved.add(RefUpdate.of(u.getLocalName(), u.getOldObjectId(), u.getNewObjectId()));
            }
        }
        return moved;
    }
}
