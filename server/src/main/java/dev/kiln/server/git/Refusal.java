package dev.kiln.server.git;

/**
 * A request about repos or triggers that the server refuses, with the HTTP status that says why
 * (400 bad input, 403 not this user, 404 no such thing, 409 in the way of something else). Its message is for the
 * user: it never holds a path of the data directory or SQL.
 */
public final class Refusal extends RuntimeException {
    private final int status;

    private Refusal(int status, String message) {
        super(message);
        this.status = status;
    }

    public static Refusal badRequest(String message) {
        return new Refusal(400, message);
    }

    public static Refusal forbidden(String message) {
        return new Refusal(403, message);
    }

    public static Refusal notFound(String message) {
        return new Refusal(404, message);
    }

    public static Refusal conflict(String message) {
        return new Refusal(409, message);
    }

    public int status() {
        return status;
    }
}
