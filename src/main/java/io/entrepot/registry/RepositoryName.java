package io.entrepot.registry;

import java.util.regex.Pattern;

/**
 * A repository name such as {@code library/alpine}: slash-separated components of lowercase
 * letters and digits joined by the separators the OCI Distribution Specification allows, at most
 * 255 characters in all.
 */
public record RepositoryName(String value) implements Comparable<RepositoryName> {

    /** The specification's limit on a whole name, host and path components together. */
    public static final int MAX_LENGTH = 255;

    // [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*
    private static final Pattern GRAMMAR =
            Pattern.compile("[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*)*");

    public RepositoryName {
        if (value == null || value.isEmpty()) {
            throw invalid(String.valueOf(value), "must not be empty");
        }
        if (value.length() > MAX_LENGTH) {
            throw invalid(value, "longer than " + MAX_LENGTH + " characters (" + value.length() + ")");
        }
        if (!GRAMMAR.matcher(value).matches()) {
            throw invalid(value, "components must be lowercase letters and digits, separated by '.', '_', '__' or dashes, and joined by single slashes");
        }
    }

    /** Parses a name, throwing {@link ErrorCode#NAME_INVALID} with the value when it is malformed. */
    public static RepositoryName parse(String value) {
        return new RepositoryName(value);
    }

    /** Returns whether {@code value} is a well-formed repository name. */
    public static boolean isValid(String value) {
        return value != null && !value.isEmpty() && value.length() <= MAX_LENGTH && GRAMMAR.matcher(value).matches();
    }

    private static RegistryException invalid(String value, String reason) {
        String shown = value.length() > 300 ? value.substring(0, 300) + "..." : value;
        return new RegistryException(ErrorCode.NAME_INVALID, "invalid repository name \"" + shown + "\": " + reason,
                java.util.Map.of("name", shown));
    }

    @Override
    public int compareTo(RepositoryName other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
