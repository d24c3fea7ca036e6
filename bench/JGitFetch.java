import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.util.List;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.transport.RefSpec;

/**
 * The raw baseline under the webhook figure of bench/git.py: the fetch Kiln makes of a mirror,
 * made by hand in a JVM of its own (run with the server's jar on the class path, so the same
 * JGit): for each line on stdin, open the bare repo DIR, fetch URL's branches and tags into it,
 * print the milliseconds it took. Kept warm by the caller's warm-up rounds, as Kiln's server is.
 * Usage: java -cp server/target/kiln.jar bench/JGitFetch.java DIR URL
 */
public class JGitFetch {
    public static void main(String[] args) throws Exception {
        File dir = new File(args[0]);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        while (in.readLine() != null) {
            long t0 = System.nanoTime();
            try (Git git = Git.open(dir)) {
                git.fetch().setRemote(args[1]).setRemoveDeletedRefs(true).setTimeout(120)
                        .setRefSpecs(List.of(new RefSpec("+refs/heads/*:refs/heads/*"), new RefSpec("+refs/tags/*:refs/tags/*")))
                        .call();
            }
            System.out.println((System.nanoTime() - t0) / 1e6 + " ms");
            System.out.flush();
        }
    }
}
