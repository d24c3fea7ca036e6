package dev.kiln.spec.api;

import java.time.Instant;

/** A secret as the API shows it: its name, the repo it serves (null: every build) and when it was set. Never its value. */
public record SecretView(String name, String repo, Instant updateTime) {}
