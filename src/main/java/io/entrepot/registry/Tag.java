package io.entrepot.registry;

import java.util.regex.Pattern;

/** A tag: up to 128 characters of {@code [A-Za-z0-9_.-]}, not starting with '.' or '-'. */
public record Tag(String value) implements Comparable<Tag> {

    private static final Pattern GRAMMAR = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");

    public Tag {
        if (value == null || !GRAMMAR.matcher(value).matches()) {
            String shown = value == null ? "" : value.length() > 200 ? value.substring(0, 200) + "..." : value;
            throw new RegistryException(ErrorCode.TAG_INVALID,
                    "invalid tag \"" + shown + "\": must match [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}", java.util.Map.of("tag", shown));
        }
    }

    public static boolean isValid(String value) {
        return value != null && GRAMMAR.matcher(value).matches();
    }

    @Override
    public int compareTo(Tag other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
