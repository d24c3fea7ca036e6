package dev.kiln.webui;

/**
 * What the page header shows for whoever is looking: the server sets it for the request being
 * answered (on its thread) before a page renders, so that the one layout every page shares can show
 * the admins' links without each page's view carrying the viewer. Showing a link grants nothing:
 * the page behind it checks the role again.
 */
public final class Chrome {
    private static final ThreadLocal<Boolean> ADMIN = new ThreadLocal<>();

    private Chrome() {}

    /** Whether the header shows the admins' links. */
    public static boolean admin() {
        return Boolean.TRUE.equals(ADMIN.get());
    }

    /** Sets it for the request this thread answers now. */
    public static void admin(boolean on) {
        ADMIN.set(on);
    }

    /** Forgets it: the thread will answer someone else next. */
    public static void clear() {
        ADMIN.remove();
    }
}
