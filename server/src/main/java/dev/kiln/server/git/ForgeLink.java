package dev.kiln.server.git;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Where a mirrored repo's build states are posted: the forge's kind ({@code github}, {@code gitlab},
 * {@code gitea}), its API base URL, the project there ({@code owner/repo}, or GitLab's full path)
 * and the file holding the token. Only the file's path is kept; the token is read from it at each
 * use, and the file must be readable by its owner only, so a token is never in the database.
 */
public record ForgeLink(String kind, String apiUrl, String project, Path tokenFile) {
    public static final List<String> KINDS = List.of("github", "gitlab", "gitea");
    private static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE);

    /** The link a request asks for, checked; null when it names no forge. {@code mirrorUrl} gives the default project. */
    static ForgeLink of(String kind, String apiUrl, String project, String tokenFile, String mirrorUrl) {
        if (blank(kind)) {
            if (!blank(apiUrl) || !blank(project) || !blank(tokenFile)) {
                throw Refusal.badRequest("forgeUrl, forgeProject and forgeTokenFile need forge (one of "
                        + String.join(", ", KINDS) + ")");
            }
            return null;
        }
        String k = kind.strip().toLowerCase(Locale.ROOT);
        if (!KINDS.contains(k)) {
            throw Refusal.badRequest("forge '" + kind + "' is not one of " + String.join(", ", KINDS));
        }
        if (mirrorUrl == null) {
            throw Refusal.badRequest("commit statuses are for a mirrored repo: give its url too (a hosted repo has no forge)");
        }
        String api = blank(apiUrl) ? switch (k) {
            case "github" -> "https://api.github.com";
            case "gitlab" -> "https://gitlab.com";
            default -> throw Refusal.badRequest("a gitea forge needs forgeUrl, such as https://gitea.example.com");
        } : apiUrl.strip().replaceAll("/+$", "");
        URI uri;
        try {
            uri = URI.create(api);
        } catch (IllegalArgumentException e) {
            throw Refusal.badRequest("forgeUrl '" + apiUrl + "' is not a URL");
        }
        if (!List.of("http", "https").contains(String.valueOf(uri.getScheme())) || uri.getHost() == null) {
            throw Refusal.badRequest("forgeUrl '" + apiUrl + "' must be an http(s) URL");
        }
        String proj = blank(project) ? projectOf(mirrorUrl, !k.equals("gitlab")) : project.strip().replaceAll("^/+|/+$", "");
        if (proj.isEmpty() || (!k.equals("gitlab") && proj.split("/").length != 2) || proj.contains("..")) {
            throw Refusal.badRequest("forgeProject '" + proj + "' must be " + (k.equals("gitlab") ? "a project path"
                    + " (group/project)" : "owner/repo"));
        }
        if (blank(tokenFile)) {
            throw Refusal.badRequest("a forge needs forgeTokenFile: the file holding its API token (mode 600)");
        }
        Path file = Path.of(tokenFile.strip());
        if (!file.isAbsolute()) {
            throw Refusal.badRequest("forgeTokenFile '" + tokenFile + "' must be an absolute path on the server's machine");
        }
        ForgeLink link = new ForgeLink(k, api, proj, file);
        try {
            link.token();
        } catch (IOException e) {
            throw Refusal.badRequest(e.getMessage());
        }
        return link;
    }

    /** The project a URL's path names: GitLab's whole path, else ({@code ownerRepo}) its last two parts, without {@code .git}. */
    private static String projectOf(String url, boolean ownerRepo) {
        String path = url.startsWith("/") ? url : URI.create(url).getPath();
        path = path == null ? "" : path.replaceAll("^/+|/+$", "").replaceAll("\\.git$", "");
        String[] parts = path.split("/");
        return ownerRepo && parts.length > 2 ? parts[parts.length - 2] + "/" + parts[parts.length - 1] : path;
    }

    /** Reads the token now; refuses a file others may read or a missing or empty one (the message names the file, not the token). */
    public String token() throws IOException {
        if (!Files.isRegularFile(tokenFile)) {
            throw new IOException("forgeTokenFile " + tokenFile + " is not a file the server can read");
        }
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(tokenFile, LinkOption.NOFOLLOW_LINKS);
        if (!OWNER_ONLY.containsAll(mode)) {
            throw new IOException("forgeTokenFile " + tokenFile + " may be read by others: chmod 600 it");
        }
        String token = Files.readString(tokenFile).strip();
        if (token.isEmpty() || token.contains("\n")) {
            throw new IOException("forgeTokenFile " + tokenFile + " must hold one token on one line");
        }
        return token;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
