package dev.kiln.server.git;

import dev.kiln.server.access.PrivateFiles;
import dev.kiln.server.secrets.ClearFiles;
import dev.kiln.server.secrets.MasterKey;
import dev.kiln.server.secrets.Vault;
import dev.kiln.server.store.Database;
import dev.kiln.server.store.Provenance;
import dev.kiln.spec.api.RepoRequest;
import dev.kiln.spec.config.Durations;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;

/**
 * Use cases on repos: add one (a bare repo under {@code <data>/git/NAME.git}, hosted or a mirror),
 * list, describe, delete, open, and fetch a mirror from its remote (what the poller and webhooks
 * call). A mirror's password and a webhook secret are kept encrypted ({@link Vault}), never shown;
 * the clear files earlier versions kept ({@code <data>/git/credentials/NAME},
 * {@code <data>/git/webhook-secrets/NAME}) are moved there at start and deleted.
 */
public final class Repos {
    /** How often a mirrored repo is polled when nobody says. */
    public static final Duration DEFAULT_POLL = Duration.ofSeconds(60);
    private static final Duration MIN_POLL = Duration.ofSeconds(1);

    private final RepoStore store;
    private final Path root;
    private final Clock clock;
    private final Vault vault;
    private final Map<String, Object> fetchLocks = new ConcurrentHashMap<>();

    /** With the master key of the data directory {@code root} is in (or {@code KILN_MASTER_KEY}). */
    public Repos(Database db, Path root, Clock clock) throws IOException {
        this(db, root, clock, new Vault(db, MasterKey.load(PrivateFiles.directory(root).toAbsolutePath().getParent(),
                System.getenv(MasterKey.ENV)), clock));
    }

    public Repos(Database db, Path root, Clock clock, Vault vault) throws IOException {
        this.store = new RepoStore(db);
        this.root = PrivateFiles.directory(root);
        this.clock = clock;
        this.vault = vault;
        ClearFiles.seal(root.resolve("credentials"), vault, Vault.Kind.MIRROR);
        ClearFiles.seal(root.resolve("webhook-secrets"), vault, Vault.Kind.WEBHOOK);
    }

    /** Adds a repo: hosted without a URL, else a mirror, fetched once now (a failure is kept as its poll error). */
    public Repo create(RepoRequest req) throws IOException {
        String name = Names.repo(req.name());
        String url = req.url() == null || req.url().isBlank() ? null : checkUrl(req.url().strip());
        Duration poll = null;
        if (url != null) {
            poll = req.pollInterval() == null || req.pollInterval().isBlank() ? DEFAULT_POLL
                    : Durations.parse(req.pollInterval().strip()).filter(d -> d.compareTo(MIN_POLL) >= 0).orElseThrow(() ->
                    Refusal.badRequest("pollInterval '" + req.pollInterval() + "' must be a duration of 1s or more, such as 30s or 5m"));
        } else if (req.pollInterval() != null || req.username() != null || req.password() != null
                || req.webhookSecret() != null) {
            throw Refusal.badRequest("pollInterval, credentials and webhookSecret are for a mirrored repo: give its url"
                    + " too (a push to a hosted repo builds without a webhook)");
        }
        if ((req.username() == null) != (req.password() == null)) {
            throw Refusal.badRequest("credentials need both a username and a password");
        }
        if (req.webhookSecret() != null && req.webhookSecret().strip().length() < 8) {
            throw Refusal.badRequest("webhookSecret must have 8 characters or more");
        }
        if (req.username() != null && !url.startsWith("http")) {
            throw Refusal.badRequest("credentials are sent to http(s) remotes only");
        }
        ForgeLink forge = ForgeLink.of(req.forge(), req.forgeUrl(), req.forgeProject(), req.forgeTokenFile(), url);
        Repo repo = new Repo(name, url == null ? Repo.Kind.HOSTED : Repo.Kind.MIRRORED, url, poll, req.username(),
                clock.millis(), null, null, null, forge, null, null);
        if (!store.insert(repo)) {
            throw Refusal.conflict("repo " + name + " exists already");
        }
        try {
            Path dir = dir(name);
            deleteTree(dir);   // what a delete interrupted by a crash may have left
            try (Git git = Git.init().setBare(true).setInitialBranch("main").setDirectory(dir.toFile()).call()) {
                git.getRepository().getConfig().setBoolean("receive", null, "denyNonFastForwards", false);
                git.getRepository().getConfig().save();
            }
            if (req.password() != null) {
                vault.put(Vault.Kind.MIRROR, "", name, req.password());
            }
            if (req.webhookSecret() != null) {
                vault.put(Vault.Kind.WEBHOOK, "", name, req.webhookSecret().strip());
            }
        } catch (IOException | GitAPIException | RuntimeException e) {
            store.delete(name);
            vault.delete(Vault.Kind.MIRROR, "", name);
            vault.delete(Vault.Kind.WEBHOOK, "", name);
            throw e instanceof IOException io ? io : new IOException("cannot create the repo " + name, e);
        }
        if (url != null) {
            try {
                fetch(name, MirrorFetch.ALL, true, TagOpt.AUTO_FOLLOW, null, null, f -> f);   // what a new mirror has is not built: only what moves later
            } catch (IOException e) {
                // Kept as the repo's poll error: the remote may come back, and the poller will try again.
            }
        }
        return get(name);
    }

    /** file://, http(s):// or an absolute path; ssh:// comes later. */
    private static String checkUrl(String url) {
        if (url.startsWith("/")) {
            return url;
        }
        String scheme;
        try {
            scheme = URI.create(url).getScheme();
        } catch (IllegalArgumentException e) {
            throw Refusal.badRequest("url '" + url + "' is not a URL");
        }
        if (scheme == null || !List.of("file", "http", "https").contains(scheme)) {
            throw Refusal.badRequest("url '" + url + "': Kiln mirrors file://, http://, https:// URLs and absolute"
                    + " paths (ssh:// is not supported yet)");
        }
        return url;
    }

    public Repo get(String name) {
        return find(name).orElseThrow(() -> Refusal.notFound("no repo " + name));
    }

    public Optional<Repo> find(String name) {
        return store.get(name);
    }

    public List<Repo> list() {
        return store.list();
    }

    /** Deletes the repo and its bare repository; refused while triggers use it. */
    public void delete(String name) throws IOException {
        get(name);
        List<String> using = store.delete(name);
        if (!using.isEmpty()) {
            throw Refusal.conflict("repo " + name + " has triggers: " + String.join(", ", using) + "; delete them first");
        }
        deleteTree(dir(name));
        vault.delete(Vault.Kind.MIRROR, "", name);
        vault.delete(Vault.Kind.WEBHOOK, "", name);
    }

    /** The secret the repo's webhooks are signed with; empty when none was set. */
    public Optional<byte[]> webhookSecret(String name) throws IOException {
        return vault.get(Vault.Kind.WEBHOOK, "", Names.repo(name))
                .map(v -> v.strip().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Opens the repo's bare repository; the caller closes it. */
    public Repository open(String name) throws IOException {
        Path dir = dir(Names.repo(name));
        if (!Files.isDirectory(dir)) {
            throw Refusal.notFound("no repo " + name);
        }
        return new FileRepositoryBuilder().setGitDir(dir.toFile()).setMustExist(true).build();
    }

    /** Every branch and tag and the commit it points to (a tag peeled to its commit). */
    public Map<String, String> heads(String name) throws IOException {
        Map<String, String> heads = new LinkedHashMap<>();
        try (Repository db = open(name)) {
            List<Ref> refs = new ArrayList<>(db.getRefDatabase().getRefsByPrefix("refs/heads/"));
            refs.addAll(db.getRefDatabase().getRefsByPrefix("refs/tags/"));
            for (Ref r : refs) {
                Ref peeled = db.getRefDatabase().peel(r);
                var id = peeled.getPeeledObjectId() != null ? peeled.getPeeledObjectId() : r.getObjectId();
                if (id != null) {
                    heads.put(r.getName(), id.name());
                }
            }
        }
        return heads;
    }

    /** The commit one branch or tag points to (a tag peeled), null when the repo has no such ref. */
    public String head(String name, String ref) throws IOException {
        try (Repository db = open(name)) {
            Ref r = db.exactRef(ref);
            if (r == null) {
                return null;
            }
            Ref peeled = db.getRefDatabase().peel(r);
            var id = peeled.getPeeledObjectId() != null ? peeled.getPeeledObjectId() : r.getObjectId();
            return id == null ? null : id.name();
        }
    }

    /**
     * The branches and tags of a mirror's remote and what each ref names (an annotated tag: the tag
     * object, as in the mirror), by one {@code ls-remote}: the poller's cheap look before a fetch.
     * {@code timeoutSeconds} bounds each read from the remote. A failure is kept on the repo.
     */
    public Map<String, String> remoteRefs(String name, int timeoutSeconds) throws IOException {
        Repo repo = get(name);
        try {
            var ls = Git.lsRemoteRepository().setRemote(repo.url()).setHeads(true).setTags(true).setTimeout(timeoutSeconds);
            ls.setCredentialsProvider(credentials(repo));   // null: none
            Map<String, String> refs = new java.util.TreeMap<>();
            for (Ref r : ls.call()) {
                if (r.getObjectId() != null && !r.getName().endsWith("^{}")) {
                    refs.put(r.getName(), r.getObjectId().name());
                }
            }
            return refs;
        } catch (GitAPIException | RuntimeException e) {
            String why = "ls-remote of " + repo.url() + " failed: " + (e.getMessage() != null ? e.getMessage() : e.toString());
            store.polled(name, clock.millis(), why);
            throw new IOException(why, e);
        }
    }

    /** The mirror's own branches and tags and what each ref names, unpeeled, to compare with {@link #remoteRefs}. */
    public Map<String, String> localRefs(String name) throws IOException {
        Map<String, String> refs = new java.util.TreeMap<>();
        try (Repository db = open(name)) {
            List<Ref> all = new ArrayList<>(db.getRefDatabase().getRefsByPrefix("refs/heads/"));
            all.addAll(db.getRefDatabase().getRefsByPrefix("refs/tags/"));
            for (Ref r : all) {
                if (r.getObjectId() != null) {
                    refs.put(r.getName(), r.getObjectId().name());
                }
            }
        }
        return refs;
    }

    /** Records a poll that found nothing to fetch: a success at this time. */
    public void polledUnchanged(String name) {
        store.polled(name, clock.millis(), null);
    }

    /**
     * Fetches one ref of a mirror's remote into the same name in the mirror (a pull request's head,
     * {@code refs/pull/7/head}), forced; returns what it moved, empty when it was there already.
     */
    public List<RefUpdate> fetchRef(String name, String ref) throws IOException {
        if (!ref.matches("refs/(pull|merge-requests)/[0-9]{1,10}/head")) {
            throw Refusal.badRequest("ref " + ref + " is not a pull request's head");
        }
        return fetch(name, List.of(new RefSpec("+" + ref + ":" + ref)), false, TagOpt.AUTO_FOLLOW, null, null, f -> f)
                .moved();
    }

    /** What a fetch moved in a mirror, already recorded; {@link #build} starts its builds. */
    public record Fetched(List<RefUpdate> moved, RefListener.Accepted accepted) {
        public List<String> build() {
            return moved.isEmpty() ? List.of() : accepted.build();
        }
    }

    /**
     * Fetches a mirrored repo's branches and tags from its remote (a force-push and a deleted branch
     * are mirrored too). The objects come first; what moved is handed to {@code listener} to be
     * recorded, and only then do the mirror's refs move: a push is never in the mirror without being
     * recorded (a move recorded but cut short by a stop is finished by {@link #settle} at the next
     * start). The time, and the error or success, are kept on the repo. One fetch of a repo at a
     * time, so that a poll and a webhook seeing one push (or one webhook delivered twice) find it
     * moved once: the second finds the mirror already there.
     */
    public Fetched fetch(String name, Provenance.Cause cause, RefListener listener) throws IOException {
        return fetch(name, MirrorFetch.ALL, true, TagOpt.AUTO_FOLLOW, cause, listener, f -> f);
    }

    /**
     * As {@link #fetch(String, Provenance.Cause, RefListener)}, but of the branches and tags in
     * {@code refs} alone (full names, as a webhook or a poll's ls-remote names them): the remote's
     * ls-refs is narrowed to them and no tags are followed, so one moved branch of a repo of thousands
     * costs what a small repo does. When the remote lacks one of them (a deleted branch), one is not a
     * branch or tag, or there are very many, the whole mirror is fetched instead. What was fetched,
     * recorded and moved goes to {@code then} (which starts the builds) inside the fetch, before the
     * repo's poll row is written: builds are queued first, the bookkeeping after.
     */
    public <T> T fetchRefs(String name, Collection<String> refs, Provenance.Cause cause, RefListener listener,
                           Function<Fetched, T> then) throws IOException {
        List<RefSpec> named = MirrorFetch.named(refs);
        if (named != null) {
            try {
                return fetch(name, named, false, TagOpt.NO_TAGS, cause, listener, then);
            } catch (MirrorFetch.RemoteLacks gone) {
                // fetched in full below, which mirrors the deletion
            }
        }
        return fetch(name, MirrorFetch.ALL, true, TagOpt.AUTO_FOLLOW, cause, listener, then);
    }

    /** {@code listener} null: the refs move as they are fetched, nothing recorded (a new mirror, a pull request's head). */
    private <T> T fetch(String name, List<RefSpec> specs, boolean removeDeleted, TagOpt tags, Provenance.Cause cause,
                        RefListener listener, Function<Fetched, T> then) throws IOException {
        Repo repo = get(name);
        if (repo.kind() != Repo.Kind.MIRRORED) {
            throw Refusal.badRequest("repo " + name + " is hosted by Kiln; there is nothing to fetch");
        }
        synchronized (lock(name)) {
            Fetched fetched;
            try (Repository db = open(name)) {
                var credentials = credentials(repo);
                // A dry run (with a listener) downloads the objects and says what would move, leaving the refs as they are.
                List<RefUpdate> moved = MirrorFetch.run(db, repo.url(), credentials, specs, removeDeleted, tags,
                        listener != null);
                RefListener.Accepted accepted = undone -> List.of();
                if (listener != null && !moved.isEmpty()) {
                    accepted = listener.accept(name, moved, cause);
                    MirrorRefs.apply(db, moved);
                }
                fetched = new Fetched(moved, accepted);
            } catch (MirrorFetch.RemoteLacks lacks) {
                throw lacks;
            } catch (GitAPIException | IOException | RuntimeException e) {
                if (e instanceof Refusal r) {
                    throw r;
                }
                String why = "fetch from " + repo.url() + " failed: " + (e.getMessage() != null ? e.getMessage() : e.toString());
                store.polled(name, clock.millis(), why);
                throw new IOException(why, e);
            }
            try {
                return then.apply(fetched);
            } finally {
                store.polled(name, clock.millis(), null);
            }
        }
    }

    /**
     * After a stop, whether a recorded move took place, finishing it when it is a mirror's: a
     * mirror's ref still where the move started goes to its new commit (true). A hosted repo's ref
     * still where the push started means the push never completed (false: its pusher was told it
     * failed); moved on, it did complete (true), perhaps followed by another push.
     */
    public boolean settle(String name, RefUpdate u) throws IOException {
        boolean mirror = get(name).kind() == Repo.Kind.MIRRORED;
        synchronized (lock(name)) {
            try (Repository db = open(name)) {
                boolean unmoved = MirrorRefs.at(db, u.ref()).equals(u.oldSha());
                if (unmoved && mirror) {
                    MirrorRefs.apply(db, List.of(u));
                }
                return mirror || !unmoved;
            }
        }
    }

    private Object lock(String name) {
        return fetchLocks.computeIfAbsent(name, n -> new Object());
    }

    /** Records how the last post of a build's state to the repo's forge went (error null: it worked). */
    public void statusPosted(String name, String error) {
        store.statusPosted(name, clock.millis(), error);
    }

    private Path dir(String name) {
        return root.resolve(name + ".git");
    }

    /** What a mirror signs in to its remote with; null when it needs nothing. */
    UsernamePasswordCredentialsProvider credentials(Repo repo) throws IOException {
        return repo.credentialsUser() == null ? null
                : new UsernamePasswordCredentialsProvider(repo.credentialsUser(), password(repo.name()));
    }

    /** A mirror's password for its remote. */
    private String password(String name) throws IOException {
        return vault.get(Vault.Kind.MIRROR, "", name).map(String::strip)
                .orElseThrow(() -> new IOException("the password of repo " + name + " is missing: add the repo again"));
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
