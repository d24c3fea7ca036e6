package dev.kiln.spec.api;

import java.util.Map;

/**
 * The body of {@code POST /api/triggers/{name}/run}: build a branch's head, a tag or a commit
 * (exactly one) through the trigger's settings; {@code substitutions} win over the trigger's.
 */
public record TriggerRun(String branch, String tag, String sha, Map<String, String> substitutions) {}
