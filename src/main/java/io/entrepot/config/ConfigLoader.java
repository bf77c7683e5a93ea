package io.entrepot.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads distribution's {@code config.yml} format into a validated {@link RegistryConfig}.
 *
 * <p>Loading runs in four steps: parse the YAML into a tree, apply the {@code REGISTRY_*}
 * environment overrides, check every key against the catalog in {@link ConfigKeys}, and map the
 * values with distribution's defaults. All problems from the last two steps are collected and
 * reported in one {@link ConfigException}.
 */
public final class ConfigLoader {

    /** Address of {@link #defaults}: loopback only, because the default has no authentication. */
    public static final String DEFAULT_LOCAL_ADDR = "127.0.0.1:5000";

    /*
     * A key repeated in one mapping is an error. YAML parsers keep the last value, so a second
     * "http:" block would silently drop the first one's addr and listen on every interface, or a
     * second "auth:" would replace the first.
     */
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .build();

    private static final Pattern DUPLICATE_FIELD = Pattern.compile("Duplicate field '([^']*)'");

    private ConfigLoader() {}

    /**
     * Loads and validates {@code file} with the {@code REGISTRY_*} overrides from {@code environment}.
     *
     * @param environment variables such as {@link System#getenv()}; names without the
     *     {@code REGISTRY_} prefix are ignored
     * @throws ConfigException if the file cannot be read or parsed, or lists every invalid value
     *     and every key that must not be ignored
     */
    public static LoadedConfig load(Path file, Map<String, String> environment) throws ConfigException {
        ObjectNode tree = readTree(file);
        expandStorageDriverName(tree);
        List<String> warnings = new ArrayList<>();
        EnvironmentOverrides.apply(tree, environment, warnings);
        boolean overridden = environment.keySet().stream().anyMatch(name -> name.startsWith("REGISTRY_"));
        return validate(tree, warnings, overridden ? file + " with REGISTRY_* environment overrides" : file.toString());
    }

    /**
     * Returns the configuration used when no file is given: filesystem storage under
     * {@code rootDirectory}, listening on {@value #DEFAULT_LOCAL_ADDR}, and the
     * {@code X-Content-Type-Options: nosniff} header that distribution's sample config.yml sets.
     */
    public static LoadedConfig defaults(Path rootDirectory) {
        try {
            return validate(defaultTree(rootDirectory), new ArrayList<>(), "built-in defaults");
        } catch (ConfigException e) {
            throw new IllegalStateException("the built-in default configuration is invalid", e);
        }
    }

    /**
     * Returns {@link #defaults} with the {@code REGISTRY_*} overrides from {@code environment}
     * applied, for {@code entrepot serve} without a file.
     *
     * @throws ConfigException if an override sets an invalid value
     */
    public static LoadedConfig defaults(Path rootDirectory, Map<String, String> environment) throws ConfigException {
        ObjectNode tree = defaultTree(rootDirectory);
        List<String> warnings = new ArrayList<>();
        EnvironmentOverrides.apply(tree, environment, warnings);
        return validate(tree, warnings, "built-in defaults with environment overrides");
    }

    private static ObjectNode defaultTree(Path rootDirectory) {
        ObjectNode tree = JsonNodeFactory.instance.objectNode();
        tree.put("version", ConfigMapper.SUPPORTED_VERSION);
        tree.putObject("storage").putObject("filesystem").put("rootdirectory", rootDirectory.toString());
        ObjectNode http = tree.putObject("http");
        http.put("addr", DEFAULT_LOCAL_ADDR);
        http.putObject("headers").putArray("X-Content-Type-Options").add("nosniff");
        return tree;
    }

    private static LoadedConfig validate(ObjectNode tree, List<String> warnings, String source) throws ConfigException {
        List<ConfigProblem> problems = new ArrayList<>();
        ConfigKeys.check(tree, problems, warnings);
        RegistryConfig config = new ConfigMapper(tree, problems, warnings).map();
        if (!problems.isEmpty()) {
            throw new ConfigException(source, problems, warnings);
        }
        return new LoadedConfig(config, warnings, EffectiveTree.of(tree, config));
    }

    /** Rewrites {@code storage: inmemory}, which distribution reads as a driver without parameters, to {@code storage: {inmemory: {}}}. */
    private static void expandStorageDriverName(ObjectNode tree) {
        JsonNode storage = tree.get("storage");
        if (storage != null && storage.isTextual()) {
            tree.putObject("storage").putObject(storage.textValue());
        }
    }

    private static ObjectNode readTree(Path file) throws ConfigException {
        JsonNode tree;
        try {
            tree = YAML.readTree(Files.readString(file));
        } catch (JacksonException e) {
            Matcher duplicate = DUPLICATE_FIELD.matcher(String.valueOf(e.getOriginalMessage()));
            if (duplicate.find()) {
                String line = e.getLocation() == null ? "" : " (near line " + e.getLocation().getLineNr() + ")";
                throw new ConfigException("configuration file " + file + " sets key " + duplicate.group(1) + " twice in the same mapping"
                        + line + "; YAML would keep only the last one, so merge the two", e);
            }
            throw new ConfigException("invalid YAML in configuration file " + file + ": " + e.getOriginalMessage(), e);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ConfigException("configuration file not found: " + file.toAbsolutePath(), e);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new ConfigException("cannot read configuration file " + file.toAbsolutePath() + ": permission denied", e);
        } catch (IOException e) {
            String reason = Files.isDirectory(file) ? "it is a directory" : String.valueOf(e.getMessage());
            throw new ConfigException("cannot read configuration file " + file.toAbsolutePath() + ": " + reason, e);
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            return JsonNodeFactory.instance.objectNode();
        }
        if (!(tree instanceof ObjectNode object)) {
            throw new ConfigException("configuration file " + file + " must contain a YAML mapping, found " + tree.getNodeType());
        }
        return object;
    }
}
