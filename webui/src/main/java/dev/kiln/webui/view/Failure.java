package dev.kiln.webui.view;

import java.util.List;

/**
 * Why a build failed, for the top of its page: the first failing step, its exit code and its last
 * lines, already rendered as safe HTML by the terminal renderer.
 */
public record Failure(int step, String stepId, Integer exitCode, String detail, List<String> lastLinesHtml) {}
