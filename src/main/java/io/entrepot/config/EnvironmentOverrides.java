package io.entrepot.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Applies distribution's {@code REGISTRY_*} environment overrides to a configuration tree.
 *
 * <p>A variable named {@code REGISTRY_} followed by key names upper-cased and joined by {@code _}
 * replaces the value at that path, so {@code REGISTRY_STORAGE_DELETE_ENABLED=true} sets
 * {@code storage.delete.enabled}. The value is parsed as YAML, so a map or list can be given.
 * Variables are applied in name order, as distribution does, so {@code REGISTRY_STORAGE=s3}
 * takes effect before {@code REGISTRY_STORAGE_S3_REGION}.
 *
 * <p>Because {@code _} both separates keys and may appear inside one, each step matches the
 * longest run of name parts that equals an existing key, ignoring case. A part that matches no
 * existing key creates a new lower-case key, so a new key can never contain {@code _}.
 */
final class EnvironmentOverrides {

    static final String PREFIX = "REGISTRY_";

    private static final YAMLMapper YAML = new YAMLMapper();

    private EnvironmentOverrides() {}

    /** Applies every {@code REGISTRY_*} variable in {@code environment} to {@code root} in place. */
    static void apply(ObjectNode root, Map<String, String> environment, List<String> warnings) {
        Map<String, String> sorted = new TreeMap<>(environment);
        sorted.forEach((name, value) -> {
            if (name.startsWith(PREFIX) && name.length() > PREFIX.length()) {
                applyOne(root, name, value, warnings);
            }
        });
    }

    private static void applyOne(ObjectNode root, String name, String value, List<String> warnings) {
        List<String> parts = Arrays.asList(name.substring(PREFIX.length()).split("_", -1));
        if (parts.contains("")) {
            warnings.add("environment variable " + name + " ignored: it contains an empty key name");
            return;
        }
        JsonNode parsed = parseValue(value);

        if (parts.size() == 1 && parts.get(0).equalsIgnoreCase("storage") && parsed.isTextual()) {
            replaceStorageDriver(root, parsed.textValue());
            return;
        }

        ObjectNode parent = root;
        int index = 0;
        while (true) {
            int end = longestExistingMatch(parent, parts, index);
            String key = end > index ? existingKey(parent, String.join("_", parts.subList(index, end))) : parts.get(index).toLowerCase();
            index = Math.max(end, index + 1);
            if (index == parts.size()) {
                parent.set(key, parsed);
                return;
            }
            JsonNode child = parent.get(key);
            if (!(child instanceof ObjectNode)) {
                child = parent.putObject(key);
            }
            parent = (ObjectNode) child;
        }
    }

    /**
     * Handles {@code REGISTRY_STORAGE=<driver>}: distribution reads a scalar storage value as a driver
     * name without parameters. Only the driver is replaced, so {@code delete} and {@code maintenance}
     * from the file still apply.
     */
    private static void replaceStorageDriver(ObjectNode root, String driverName) {
        JsonNode storage = root.get("storage");
        ObjectNode replacement = JsonNodeFactory.instance.objectNode();
        if (storage instanceof ObjectNode existing) {
            existing.properties().forEach(entry -> {
                if (ConfigKeys.STORAGE_SECTIONS.contains(entry.getKey())) {
                    replacement.set(entry.getKey(), entry.getValue());
                }
            });
        }
        replacement.putObject(driverName.toLowerCase());
        root.set("storage", replacement);
    }

    /** Returns the end index of the longest run of parts from {@code from} that names a key of {@code node}, or {@code from}. */
    private static int longestExistingMatch(ObjectNode node, List<String> parts, int from) {
        for (int end = parts.size(); end > from; end--) {
            if (existingKey(node, String.join("_", parts.subList(from, end))) != null) {
                return end;
            }
        }
        return from;
    }

    private static String existingKey(ObjectNode node, String candidate) {
        for (Map.Entry<String, JsonNode> property : node.properties()) {
            if (property.getKey().equalsIgnoreCase(candidate)) {
                return property.getKey();
            }
        }
        return null;
    }

    private static JsonNode parseValue(String value) {
        if (value.isEmpty()) {
            return TextNode.valueOf("");
        }
        try {
            JsonNode parsed = YAML.readTree(value);
            return parsed == null || parsed.isMissingNode() ? TextNode.valueOf(value) : parsed;
        } catch (JsonProcessingException e) {
            // Distribution would fail here too; a plain string keeps the value visible in the error.
            return TextNode.valueOf(value);
        }
    }
}
