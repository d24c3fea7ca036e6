package dev.kiln.agent.support;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The one rule for a test that needs something from the machine (an engine, a registry, a browser):
 * in CI ({@code CI=true}) a missing part fails the test, because a green run that skipped the real
 * parts proves nothing; elsewhere it is skipped, saying {@code why}. Shared with the server's tests.
 */
public final class CiRequirement {
    private CiRequirement() {}

    public static void require(boolean ok, String why) {
        if (!ok && "true".equals(System.getenv("CI"))) {
            fail("CI=true but this test " + why);
        }
        assumeTrue(ok, "skipped: " + why);
    }
}
