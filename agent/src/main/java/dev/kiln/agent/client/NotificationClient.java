package dev.kiln.agent.client;

import static dev.kiln.agent.client.ApiClient.enc;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.kiln.spec.api.DeliveryView;
import dev.kiln.spec.api.NotificationRequest;
import dev.kiln.spec.api.NotificationView;
import java.io.IOException;
import java.util.List;

/** Notification hooks as the CLI sees them: added, listed, removed, and their deliveries. */
public final class NotificationClient {
    private final ApiClient api;

    public NotificationClient(ApiClient api) {
        this.api = api;
    }

    /** Adds a notification hook: the answer carries its signing secret, this once. */
    public NotificationView add(NotificationRequest hook) throws IOException, InterruptedException {
        return api.call("POST", "/api/notifications", hook, new TypeReference<NotificationView>() {});
    }

    public List<NotificationView> list() throws IOException, InterruptedException {
        return api.call("GET", "/api/notifications", null, new TypeReference<List<NotificationView>>() {});
    }

    public void remove(String id) throws IOException, InterruptedException {
        api.call("DELETE", "/api/notifications/" + enc(id), null, null);
    }

    /** The newest {@code limit} notification deliveries, with their attempts. */
    public List<DeliveryView> deliveries(int limit) throws IOException, InterruptedException {
        return api.call("GET", "/api/notifications/deliveries?limit=" + limit, null,
                new TypeReference<List<DeliveryView>>() {});
    }
}
