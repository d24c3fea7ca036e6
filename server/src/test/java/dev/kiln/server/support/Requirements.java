package dev.kiln.server.support;

import java.util.concurrent.TimeUnit;

/**
 * Tools some tests need from the machine. In CI ({@code CI=true}) a missing tool fails the test:
 * a green run that skipped the real parts proves nothing. On a laptop it skips, saying why.
 */
public final class Requirements {
    private Requirements() {}

    /** Debian's /usr/bin/python3 with scikit-learn, pandas and pytest. */
    public static void mlPython() {
        boolean ok;
        try {
            Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import sklearn, pandas, pytest")
                    .redirectErrorStream(true).start();
            ok = p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            ok = false;
        }
        String why = "needs /usr/bin/python3 with python3-sklearn, python3-pandas and python3-pytest (apt-get install them)";
        require(ok, why);
    }

    /** Root, so that steps run as the unprivileged build user, as they do on a server run as root. */
    public static void root() {
        boolean ok = dev.kiln.agent.run.BuildUser.isRoot();
        String why = "needs root: only then do steps run as the build user, away from the server's files";
        require(ok, why);
    }

    /** Debian's chromium and chromium-driver, for the dashboard's browser tests (.ci/provision installs them). */
    public static void chromium() {
        boolean ok = java.nio.file.Files.isExecutable(java.nio.file.Path.of("/usr/bin/chromium"))
                && java.nio.file.Files.isExecutable(java.nio.file.Path.of("/usr/bin/chromedriver"));
        String why = "needs /usr/bin/chromium and /usr/bin/chromedriver (apt-get install chromium chromium-driver)";
        require(ok, why);
    }

    /** In CI ({@code CI=true}) a test without what it needs fails; elsewhere it is skipped, saying {@code why}. */
    public static void require(boolean ok, String why) {
        dev.kiln.agent.support.CiRequirement.require(ok, why);
    }
}
