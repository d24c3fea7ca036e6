package dev.kiln.server.http;

import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;

/**
 * Reads a request's parameters and refuses a bad one with a 400 that names it and says what it
 * may be, so that no unchecked value reaches the database, the disk or the scheduler.
 */
public final class Params {
    private static final int SHOWN = 30;

    private Params() {}

    /** An optional whole-number query parameter in {@code [min, max]}; {@code otherwise} when absent. */
    public static long query(Context ctx, String name, long min, long max, long otherwise) {
        String raw = ctx.queryParam(name);
        return raw == null ? otherwise : count(name, raw, min, max);
    }

    /** A required whole-number query parameter in {@code [min, max]}. */
    static long required(Context ctx, String name, long min, long max) {
        String raw = ctx.queryParam(name);
        if (raw == null) {
            throw new BadRequestResponse(name + " is required; it must be " + range(min, max));
        }
        return count(name, raw, min, max);
    }

    /** A required text query parameter. */
    static String text(Context ctx, String name) {
        String raw = ctx.queryParam(name);
        if (raw == null || raw.isBlank()) {
            throw new BadRequestResponse(name + " is required");
        }
        return raw;
    }

    /** An optional build status query parameter (any case); null when absent. */
    public static dev.kiln.spec.protocol.Status status(Context ctx, String name) {
        String raw = ctx.queryParam(name);
        if (raw == null) {
            return null;
        }
        for (dev.kiln.spec.protocol.Status s : dev.kiln.spec.protocol.Status.values()) {
            if (s.name().equalsIgnoreCase(raw.strip())) {
                return s;
            }
        }
        throw new BadRequestResponse(name + " must be one of " + java.util.Arrays.toString(dev.kiln.spec.protocol.Status.values())
                + " (got " + shown(raw) + ")");
    }

    /** The {@code step} path parameter: a step's index, 0 or more. */
    public static int step(Context ctx) {
        return (int) count("step", ctx.pathParam("step"), 0, Integer.MAX_VALUE);
    }

    /** {@code raw} as a whole number in {@code [min, max]}, or a 400 naming {@code name}. */
    static long count(String name, String raw, long min, long max) {
        long v;
        try {
            v = Long.parseLong(raw.strip());
        } catch (NumberFormatException e) {
            throw refused(name, raw, min, max);
        }
        if (v < min || v > max) {
            throw refused(name, raw, min, max);
        }
        return v;
    }

    /**
     * The SSE route's {@code offsets}: a comma-separated list of at most {@code steps} offsets, one per
     * step, each 0 or more; empty or absent means "from the start".
     */
    static long[] offsets(String raw, int steps) {
        long[] from = new long[steps];
        if (raw == null || raw.isEmpty()) {
            return from;
        }
        String[] parts = raw.split(",", -1);
        String what = "at most " + steps + " comma-separated numbers, one per step, each 0 or more";
        if (parts.length > steps) {
            throw new BadRequestResponse("offsets must be " + what + " (got " + parts.length + ")");
        }
        for (int i = 0; i < parts.length; i++) {
            try {
                from[i] = count("offsets", parts[i], 0, Long.MAX_VALUE);
            } catch (BadRequestResponse e) {
                throw new BadRequestResponse("offsets must be " + what + " (got " + shown(raw) + ")");
            }
        }
        return from;
    }

    /** The SSE route's {@code log}: {@code text} (the default) sends log text in events, {@code size} only how far each log reaches. */
    static BuildStream.LogMode logMode(Context ctx) {
        String raw = ctx.queryParam("log");
        if (raw == null || raw.equals("text")) {
            return BuildStream.LogMode.TEXT;
        }
        if (raw.equals("size")) {
            return BuildStream.LogMode.SIZE;
        }
        throw new BadRequestResponse("log must be text or size (got " + shown(raw) + ")");
    }

    private static BadRequestResponse refused(String name, String raw, long min, long max) {
        return new BadRequestResponse(name + " must be " + range(min, max) + " (got " + shown(raw) + ")");
    }

    private static String range(long min, long max) {
        return max == Long.MAX_VALUE || max == Integer.MAX_VALUE ? min + " or more" : "between " + min + " and " + max;
    }

    private static String shown(String raw) {
        return "'" + (raw.length() > SHOWN ? raw.substring(0, SHOWN) + "…" : raw) + "'";
    }
}
