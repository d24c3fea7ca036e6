package dev.kiln.spec.plan;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * An image name split as Docker splits it: {@code registry/path:tag}. The first path part is a
 * registry host only if it has a dot or a colon or is {@code localhost} (Docker's rule); otherwise
 * the image lives on Docker Hub ({@code docker.io}).
 *
 * @param registry   the host, {@code docker.io} when the name has none
 * @param repository the name without tag or digest, as given ({@code 127.0.0.1:5000/app})
 * @param tag        the tag; {@code latest} when none and no digest is given
 * @param digest     {@code sha256:...} when the name pins one, else null
 */
public record ImageRef(String registry, String repository, String tag, String digest) {
    public static final String DOCKER_HUB = "docker.io";
    /** The step images that run the built-in docker builder (Cloud Build's and the bare name). */
    public static final Set<String> DOCKER_BUILDERS = Set.of("gcr.io/cloud-builders/docker", "docker");

    public static ImageRef parse(String name) {
        String rest = name;
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
        }
        int slash = rest.indexOf('/');
        String first = slash < 0 ? "" : rest.substring(0, slash);
        String registry = slash >= 0 && (first.contains(".") || first.contains(":") || first.equals("localhost"))
                ? first.toLowerCase(Locale.ROOT) : DOCKER_HUB;
        return new ImageRef(registry, rest, tag == null && digest == null ? "latest" : tag, digest);
    }

    /** What a pull asks for beside the repository: the digest when the name pins one, else the tag. */
    public String pullTag() {
        return digest != null ? digest : tag;
    }

    /** Where a pull of it goes, as a person reads it. */
    public String registryText() {
        return registry.equals(DOCKER_HUB) ? "Docker Hub (docker.io)" : registry;
    }

    /** Whether a step with this {@code name} runs the built-in docker builder (any tag of it). */
    public static boolean isDockerBuilder(String stepImage) {
        return stepImage != null && DOCKER_BUILDERS.contains(parse(stepImage).repository());
    }

    /**
     * The registries a build pushes to, for handing it only those logins: its {@code images}, and
     * the image of every {@code docker push} step of the built-in builder.
     */
    public static Set<String> pushedRegistries(BuildPlan plan) {
        List<String> names = new ArrayList<>(plan.images() == null ? List.of() : plan.images());
        for (StepPlan s : plan.steps()) {
            if (isDockerBuilder(s.image()) && s.args().size() >= 2 && s.args().get(0).equals("push")) {
                s.args().stream().skip(1).filter(a -> !a.startsWith("-")).forEach(names::add);
            }
        }
        Set<String> hosts = new LinkedHashSet<>();
        names.forEach(n -> hosts.add(parse(n).registry()));
        return hosts;
    }
}
