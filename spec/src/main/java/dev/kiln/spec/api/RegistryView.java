package dev.kiln.spec.api;

import java.time.Instant;

/** A registry login as the API shows it: never the password. */
public record RegistryView(String host, String username, Instant loginTime) {}
