package dev.kiln.server.git;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Optional;

/**
 * Who may push to a hosted repo over HTTP. Until users and tokens exist, anyone who reaches the
 * server's address does (the API's rule: loopback unless {@code --host} says otherwise); a later
 * policy reads the request's {@code Authorization} (a token as the basic-auth password) and says
 * why it refuses. Protected branches are a {@code PreReceiveHook} beside it, per ref.
 */
public interface PushPolicy {
    /** Empty to let the push in; else why not (a 401 asking for credentials). */
    Optional<String> refuse(HttpServletRequest request);

    PushPolicy ANYONE = request -> Optional.empty();
}
