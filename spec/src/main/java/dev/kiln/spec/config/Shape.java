package dev.kiln.spec.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The type a Cloud Build field must have, as its build resource defines it: enough of a schema to
 * refuse what Cloud Build would refuse in fields Kiln reads but does not act on. {@link IgnoredFields}
 * holds the schema, {@link ShapeCheck} checks nodes against it.
 */
sealed interface Shape {
    /** A string: any single value. */
    record Text() implements Shape {}

    /** A bool: {@code true} or {@code false}. */
    record Flag() implements Shape {}

    /** An int32 or int64: a whole number, written bare or quoted (protobuf's JSON takes both). */
    record Whole() implements Shape {}

    /** A path in the workspace: relative, or absolute under {@code /workspace}. */
    record WorkspacePath() implements Shape {}

    /** An enum: one of {@code values}. */
    record Choice(List<String> values) implements Shape {
        public Choice {
            values = List.copyOf(values);
        }
    }

    /** A repeated field. */
    record ListOf(Shape item) implements Shape {}

    /** A {@code map<string, V>}: keys are the user's, not field names. */
    record MapOf(Shape value) implements Shape {}

    /** A message: its fields by JSON name. */
    record Message(Map<String, Shape> fields) implements Shape {
        public Message {
            fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        }

        List<String> names() {
            return List.copyOf(fields.keySet());
        }
    }

    /** Not in Cloud Build's resource, but accepted by Kiln since before it checked shapes: never refused. */
    record Anything() implements Shape {}

    static Shape text() {
        return new Text();
    }

    static Shape flag() {
        return new Flag();
    }

    static Shape whole() {
        return new Whole();
    }

    static Shape path() {
        return new WorkspacePath();
    }

    static Shape anything() {
        return new Anything();
    }

    static Shape choice(String... values) {
        return new Choice(List.of(values));
    }

    static Shape listOf(Shape item) {
        return new ListOf(item);
    }

    static Shape mapOf(Shape value) {
        return new MapOf(value);
    }

    /** A message from alternating names and shapes: {@code message("name", text(), "path", text())}. */
    static Message message(Object... nameThenShape) {
        Map<String, Shape> fields = new LinkedHashMap<>();
        for (int i = 0; i < nameThenShape.length; i += 2) {
            fields.put((String) nameThenShape[i], (Shape) nameThenShape[i + 1]);
        }
        return new Message(fields);
    }
}
