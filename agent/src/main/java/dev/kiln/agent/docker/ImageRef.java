package dev.kiln.agent.docker;

/**
 * An image reference split as a pull needs it: {@code registry.example:5000/team/app:1.2} is
 * repository {@code registry.example:5000/team/app}, tag {@code 1.2}; no tag means {@code latest}; a
 * digest ({@code app@sha256:...}) is kept whole as the tag's place.
 */
record ImageRef(String repository, String tag) {
    static ImageRef parse(String image) {
        int at = image.indexOf('@');
        if (at >= 0) {
            return new ImageRef(image.substring(0, at), image.substring(at + 1));
        }
        int slash = image.lastIndexOf('/');
        int colon = image.lastIndexOf(':');
        if (colon > slash) {
            return new ImageRef(image.substring(0, colon), image.substring(colon + 1));
        }
        return new ImageRef(image, "latest");
    }

    /** Where a pull of it goes: the first path part when it looks like a host, else Docker Hub. */
    String registry() {
        int slash = repository.indexOf('/');
        String first = slash < 0 ? "" : repository.substring(0, slash);
        return first.contains(".") || first.contains(":") || first.equals("localhost") ? first : "Docker Hub (docker.io)";
    }
}
