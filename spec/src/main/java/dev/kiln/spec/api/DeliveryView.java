package dev.kiln.spec.api;

import java.time.Instant;
import java.util.List;

/**
 * One notification sent to one hook: its state (PENDING, DELIVERED, GAVE_UP), when the next attempt
 * is due while pending, and every attempt made with the receiver's status or why there was none.
 */
public record DeliveryView(long id, long hookId, String url, String event, String repo, String state, Integer lastStatus,
                           String lastError, Instant createTime, Instant nextAttemptTime, List<Attempt> attempts) {

    /** One try: {@code status} is the receiver's HTTP status, null when it gave none ({@code error} says why). */
    public record Attempt(int attempt, Instant time, Integer status, String error) {}
}
