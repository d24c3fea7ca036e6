package dev.kiln.server.support;

import java.io.File;
import java.nio.file.Path;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jgit.http.server.GitServlet;
import org.eclipse.jgit.transport.resolver.FileResolver;

/**
 * A forge's git remote for tests: the bare repos under a directory served over smart HTTP on
 * loopback (JGit's {@code GitServlet} in a Jetty of its own), clone and fetch only.
 */
public final class GitHttpRemote implements AutoCloseable {
    private final Server jetty;
    private final int port;

    private GitHttpRemote(Server jetty, int port) {
        this.jetty = jetty;
        this.port = port;
    }

    public static GitHttpRemote serve(Path reposDir) throws Exception {
        Server jetty = new Server();
        ServerConnector c = new ServerConnector(jetty);
        c.setHost("127.0.0.1");
        c.setPort(0);
        jetty.addConnector(c);
        GitServlet git = new GitServlet();
        git.setRepositoryResolver(new FileResolver<>(new File(reposDir.toString()), true));
        ServletContextHandler h = new ServletContextHandler();
        h.addServlet(new ServletHolder("git", git), "/*");
        jetty.setHandler(h);
        jetty.start();
        return new GitHttpRemote(jetty, c.getLocalPort());
    }

    /** The URL of the bare repo {@code name} (such as {@code upstream.git}) under the served directory. */
    public String url(String name) {
        return "http://127.0.0.1:" + port + "/" + name;
    }

    @Override
    public void close() throws Exception {
        jetty.stop();
    }
}
