package io.entrepot.storage;

import java.util.regex.Pattern;

/** Rules for the paths that {@link StorageDriver} accepts. */
public final class StoragePaths {

    // Distribution's rule: absolute, slash-separated, segments of [A-Za-z0-9._-], no empty segment.
    // Dot-only segments are refused separately so that no path can climb out of the root.
    private static final Pattern VALID = Pattern.compile("^(/[A-Za-z0-9._-]+)+$");

    private StoragePaths() {}

    /** Returns whether {@code path} is absolute, has no empty, "." or ".." segment and only safe characters. */
    public static boolean isValid(String path) {
        if (path == null || !VALID.matcher(path).matches()) {
            return false;
        }
        for (String segment : path.substring(1).split("/")) {
            if (segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
    }

    /** Returns the parent of {@code path}, or "/" for a top-level path. */
    public static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    /** Returns the last segment of {@code path}. */
    public static String baseName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
