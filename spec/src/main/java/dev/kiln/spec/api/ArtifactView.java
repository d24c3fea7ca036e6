package dev.kiln.spec.api;

/**
 * A file a build kept, as the API lists it: {@code path} relative to the workspace, its size in
 * bytes and SHA-256 (hex), the id of the step that kept it (null for Cloud Build's
 * {@code artifacts.objects}, kept once the whole build passed), and where to download it.
 */
public record ArtifactView(String path, long size, String sha256, String step, String url) {}
