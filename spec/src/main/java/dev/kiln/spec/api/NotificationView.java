package dev.kiln.spec.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * A notification hook as the API shows it. {@code events} empty means every event, {@code repo}
 * null every repo. {@code secret}, the key its deliveries are signed with, is there in the answer
 * to the add alone: it is never shown again.
 */
public record NotificationView(long id, String url, boolean slack, List<String> events, String repo, Instant createTime,
                               @JsonInclude(JsonInclude.Include.NON_NULL) String secret) {}
