package dev.kiln.spec.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Knows both spellings of a Cloud Build field: the build resource is a protobuf message, and its
 * JSON reader takes each field's proto name ({@code wait_for}) as well as its JSON name
 * ({@code waitFor}). Kiln works with the JSON name throughout; this class remembers what the user
 * wrote, so that messages show the user's spelling and not one they never typed.
 */
final class FieldNames {
    /** Value path as Kiln names it (e.g. {@code steps[0].waitFor}) to the path as written ({@code steps[0].wait_for}). */
    private final Map<String, String> written = new HashMap<>();

    /** The proto name of a JSON name: {@code secretEnv} is {@code secret_env}, {@code diskSizeGb} is {@code disk_size_gb}. */
    static String snake(String camel) {
        StringBuilder out = new StringBuilder(camel.length() + 4);
        for (int i = 0; i < camel.length(); i++) {
            char c = camel.charAt(i);
            if (Character.isUpperCase(c)) {
                out.append('_').append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Each spelling of {@code names} (JSON and proto) to the JSON name. */
    static Map<String, String> spellings(List<String> names) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String n : names) {
            out.put(n, n);
            out.putIfAbsent(snake(n), n);
        }
        return out;
    }

    /** Every spelling of {@code names}, for a did-you-mean that finds the one closest to the user's style. */
    static List<String> allSpellings(List<String> names) {
        return new ArrayList<>(spellings(names).keySet());
    }

    /** Records that the field at {@code path} (Kiln's spelling) was written as {@code key} under its parent. */
    void wrote(String path, String key) {
        int cut = Math.max(path.lastIndexOf('.'), -1);
        String parent = cut < 0 ? "" : path.substring(0, cut + 1);
        String as = shown(parent) + key;
        if (!as.equals(path)) {
            written.put(path, as);
        }
    }

    /** {@code path} as the user wrote it: {@code steps[0].waitFor[1]} may be {@code steps[0].wait_for[1]}. */
    String shown(String path) {
        if (written.isEmpty()) {
            return path;
        }
        for (int i = path.length(); i > 0; i--) {
            if (i == path.length() || path.charAt(i) == '.' || path.charAt(i) == '[') {
                String w = written.get(path.substring(0, i));
                if (w != null) {
                    return w + path.substring(i);
                }
            }
        }
        return path;
    }

    /** The last field name of {@code path} as written: {@code wait_for} for {@code steps[0].waitFor}. */
    String name(String path) {
        String shown = shown(path);
        return shown.substring(shown.lastIndexOf('.') + 1);
    }
}
