package io.entrepot.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Renders a configuration tree as YAML with secrets replaced by {@value #MASK}, for
 * {@code entrepot config check} and start-up logs.
 */
public final class ConfigPrinter {

    static final String MASK = "*****";

    /**
     * Key names that contain a credential wherever they appear (S3, Azure, Redis, proxy, HTTP),
     * including an {@code Authorization} header of a notification endpoint.
     */
    private static final Set<String> SECRET_KEYS = Set.of(
            "password", "bindpassword", "secret", "secretkey", "accesskey", "privatekey", "accountkey", "sessiontoken", "authorization");

    // The user information of a URL such as https://user:password@host/, in any string value.
    private static final java.util.regex.Pattern URL_USER_INFO = java.util.regex.Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)[^/@\\s]+@");

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            // Keeps strings such as version "0.1" quoted, so they read back as strings.
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .build();

    private ConfigPrinter() {}

    /** Renders the effective tree of {@code loaded} with secrets masked. */
    public static String toYaml(LoadedConfig loaded) {
        return toYaml(loaded.effectiveTree());
    }

    /** Renders {@code tree} with secrets masked, leaving {@code tree} itself unchanged. */
    public static String toYaml(JsonNode tree) {
        JsonNode copy = tree.deepCopy();
        mask(copy, new ArrayList<>());
        try {
            return YAML.writeValueAsString(copy);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("failed to render the configuration as YAML", e);
        }
    }

    /**
     * Returns whether the key at {@code path} contains a secret: a key named like a credential, or
     * {@code key} anywhere under a {@code tls} section.
     */
    static boolean isSecret(List<String> path) {
        if (path.isEmpty()) {
            return false;
        }
        String name = path.get(path.size() - 1).toLowerCase(Locale.ROOT);
        if (SECRET_KEYS.contains(name)) {
            return true;
        }
        return name.equals("key") && path.subList(0, path.size() - 1).stream().anyMatch(parent -> parent.equalsIgnoreCase("tls"));
    }

    private static void mask(JsonNode node, List<String> path) {
        if (node instanceof com.fasterxml.jackson.databind.node.ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                if (array.get(i).isTextual()) {
                    array.set(i, TextNode.valueOf(maskUserInfo(array.get(i).textValue())));
                } else {
                    mask(array.get(i), path);
                }
            }
            return;
        }
        if (!(node instanceof ObjectNode object)) {
            return;
        }
        for (Map.Entry<String, JsonNode> property : object.properties()) {
            path.add(property.getKey());
            if (isSecret(path) && !property.getValue().isNull()) {
                property.setValue(TextNode.valueOf(MASK));
            } else if (property.getValue().isTextual()) {
                property.setValue(TextNode.valueOf(maskUserInfo(property.getValue().textValue())));
            } else {
                mask(property.getValue(), path);
            }
            path.remove(path.size() - 1);
        }
    }

    /** Replaces the user and password of every URL in {@code text}, keeping the rest readable. */
    static String maskUserInfo(String text) {
        return URL_USER_INFO.matcher(text).replaceAll("$1" + MASK + "@");
    }
}
