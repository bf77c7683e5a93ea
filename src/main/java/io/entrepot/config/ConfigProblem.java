package io.entrepot.config;

/**
 * One invalid or unsafe setting found while loading the configuration.
 *
 * @param key dotted key path, such as {@code http.net}
 * @param message what is wrong and, where useful, what to do
 * @param value the offending value as written, or null when the key itself is the problem
 */
public record ConfigProblem(String key, String message, String value) {

    /** Renders the problem as {@code key: message (value "...")}. */
    @Override
    public String toString() {
        return value == null ? key + ": " + message : key + ": " + message + " (value \"" + value + "\")";
    }
}
