package dev.kiln.server.promotion;

import java.util.Locale;

/**
 * Whether a user wrote a commit, for a policy that prevents self-approval. Kiln users have names,
 * commits have {@code Name <email>} authors: a user is the author when their name is the author's
 * name or the part of the author's email before the {@code @}, ignoring case.
 */
final class SelfApproval {
    private SelfApproval() {}

    static boolean authored(String user, String author) {
        if (user == null || author == null) {
            return false;
        }
        String u = user.strip().toLowerCase(Locale.ROOT);
        String a = author.strip().toLowerCase(Locale.ROOT);
        int lt = a.indexOf('<');
        String name = (lt >= 0 ? a.substring(0, lt) : a).strip();
        String email = lt >= 0 && a.indexOf('>', lt) > lt ? a.substring(lt + 1, a.indexOf('>', lt)) : "";
        String local = email.contains("@") ? email.substring(0, email.indexOf('@')) : email;
        return u.equals(name) || (!local.isEmpty() && u.equals(local));
    }
}
