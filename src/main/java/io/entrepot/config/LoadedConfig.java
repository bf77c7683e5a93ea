package io.entrepot.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A validated configuration with what the operator should know about it.
 *
 * @param config the typed configuration the registry runs with
 * @param warnings keys that were ignored or adjusted, one sentence each, in the order found
 * @param effectiveTree the configuration tree after environment overrides and defaults, including
 *     ignored keys, with secrets still in clear (use {@link ConfigPrinter} to show it)
 */
public record LoadedConfig(RegistryConfig config, List<String> warnings, JsonNode effectiveTree) {

    public LoadedConfig {
        warnings = List.copyOf(warnings);
    }
}
