package dev.kiln.spec.api;

import java.time.Instant;

/**
 * One entry of the audit log as the API shows it: who ({@code actor}) did what ({@code action}) to
 * what ({@code target}), when, from which address; {@code detail} adds what the action needs (an
 * approval's comment), never a secret's value or a password. {@code seq} pages: pass it as
 * {@code before} for older entries.
 */
public record AuditEntryView(long seq, Instant time, String actor, String action, String target, String detail,
                             String address) {}
