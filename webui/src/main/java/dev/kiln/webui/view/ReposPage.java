package dev.kiln.webui.view;

import java.util.List;

/** The repos page: every repo, in name order. */
public record ReposPage(List<RepoCard> repos) {}
