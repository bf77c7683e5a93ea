package io.entrepot.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * Reads typed values from a configuration tree by dotted key path, recording a {@link ConfigProblem}
 * for each value of the wrong type and returning the default instead, so that loading goes on and
 * every problem is reported together.
 *
 * <p>Scalars are read as distribution reads them: booleans and integers may also be written as
 * strings, because environment overrides and quoted YAML produce strings.
 */
final class ValueReader {

    private final JsonNode root;
    private final List<ConfigProblem> problems;
    private final List<String> warnings;

    ValueReader(JsonNode root, List<ConfigProblem> problems, List<String> warnings) {
        this.root = root;
        this.problems = problems;
        this.warnings = warnings;
    }

    /**
     * Returns the node at {@code path}, or null when it is absent or written with no value. A
     * numeric segment indexes a list, as in {@code middleware.storage.0.name}.
     */
    JsonNode node(String path) {
        JsonNode node = root;
        for (String key : path.split("\\.")) {
            if (node.isArray() && key.matches("[0-9]{1,9}")) {
                node = node.get(Integer.parseInt(key));
            } else {
                node = node.isObject() ? node.get(key) : null;
            }
            if (node == null || node.isNull()) {
                return null;
            }
        }
        return node;
    }

    boolean has(String path) {
        return node(path) != null;
    }

    void problem(String path, String message, JsonNode value) {
        problems.add(new ConfigProblem(path, message, value == null ? null : display(path, value)));
    }

    /**
     * Returns true if a problem was recorded for a key below {@code path}, such as
     * {@code access.default} below {@code access}. A section whose entries had problems is not
     * also reported as empty, because that would repeat one cause as a second error.
     */
    boolean hasProblemBelow(String path) {
        return problems.stream().anyMatch(problem -> problem.key().startsWith(path + "."));
    }

    String string(String path, String defaultValue) {
        JsonNode node = node(path);
        if (node == null) {
            return defaultValue;
        }
        if (!node.isValueNode()) {
            problem(path, "must be a string", node);
            return defaultValue;
        }
        return node.asText();
    }

    boolean bool(String path, boolean defaultValue) {
        JsonNode node = node(path);
        if (node == null) {
            return defaultValue;
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isTextual() && (node.textValue().equalsIgnoreCase("true") || node.textValue().equalsIgnoreCase("false"))) {
            return Boolean.parseBoolean(node.textValue());
        }
        problem(path, "must be true or false", node);
        return defaultValue;
    }

    long integer(String path, long defaultValue) {
        JsonNode node = node(path);
        if (node == null) {
            return defaultValue;
        }
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return node.longValue();
        }
        if (node.isTextual() && node.textValue().matches("-?[0-9]{1,18}")) {
            return Long.parseLong(node.textValue());
        }
        problem(path, "must be an integer", node);
        return defaultValue;
    }

    /**
     * Reads a Go duration: a string such as {@code 10s} or {@code 1h30m}, or an integer number of
     * nanoseconds, which is how Go's YAML decoder reads a bare number into a {@code time.Duration}.
     * A bare number other than 0 gets a warning, because it is most often seconds without a unit.
     */
    Duration duration(String path, Duration defaultValue) {
        JsonNode node = node(path);
        if (node == null) {
            return defaultValue;
        }
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            if (node.longValue() < 0) {
                problem(path, "invalid duration, must not be negative", node);
                return defaultValue;
            }
            Duration nanoseconds = Duration.ofNanos(node.longValue());
            if (!nanoseconds.isZero()) {
                warnings.add(bareNumberWarning(path, node.longValue(), nanoseconds));
            }
            return nanoseconds;
        }
        if (!node.isTextual()) {
            problem(path, "invalid duration, expected a number and a unit such as 10s or 1h30m", node);
            return defaultValue;
        }
        try {
            return GoDuration.parse(node.textValue());
        } catch (GoDuration.InvalidDurationException e) {
            problem(path, "invalid duration, " + e.reason(), node);
            return defaultValue;
        }
    }

    private static String bareNumberWarning(String path, long number, Duration nanoseconds) {
        String readAs = GoDuration.format(nanoseconds);
        String warning = path + ": " + number + " has no unit and is read as " + readAs + ", as distribution reads it; write ";
        // Past a million seconds (about 11.6 days) the number is far more likely to be meant as nanoseconds.
        if (number < 1_000_000) {
            return warning + number + "s if you meant seconds, or " + readAs + " to keep this value";
        }
        return warning + readAs + " to keep this value with a unit";
    }

    /** Returns a list of strings, accepting a single string as a list of one. */
    List<String> stringList(String key) {
        JsonNode node = node(key);
        if (node == null) {
            return List.of();
        }
        List<String> values = new ArrayList<>();
        for (JsonNode element : node.isArray() ? node : List.of(node)) {
            if (!element.isValueNode() || element.isNull() || element.asText().isBlank()) {
                problem(key, "must be a list of non-empty strings", node);
                return List.of();
            }
            values.add(element.asText());
        }
        return values;
    }

    /** Returns the value as written, or a mask when the key contains a secret. */
    private static String display(String path, JsonNode value) {
        if (ConfigPrinter.isSecret(List.of(path.split("\\.")))) {
            return ConfigPrinter.MASK;
        }
        return flowYaml(value);
    }

    /** Renders a value in YAML flow style, such as {@code [a, b]} or {@code {a: b}}, close to how it was written. */
    private static String flowYaml(JsonNode value) {
        if (value.isArray()) {
            StringJoiner items = new StringJoiner(", ", "[", "]");
            value.forEach(item -> items.add(flowYaml(item)));
            return items.toString();
        }
        if (value.isObject()) {
            StringJoiner entries = new StringJoiner(", ", "{", "}");
            value.properties().forEach(entry -> entries.add(entry.getKey() + ": " + flowYaml(entry.getValue())));
            return entries.toString();
        }
        return value.asText();
    }
}
