package io.entrepot.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.DeserializationFeature;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses and checks the structure of manifests: OCI image manifests and indexes, Docker schema 2
 * manifests and manifest lists, and OCI artifacts (image manifests with an {@code artifactType}
 * or any config media type). Docker schema 1 is rejected. Whether the referenced content exists
 * is checked by {@link ManifestStore}, not here.
 */
public final class ManifestParser {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    private ManifestParser() {}

    /**
     * Parses {@code content}.
     *
     * @param contentType the request's Content-Type, or null
     * @throws RegistryException with MANIFEST_INVALID naming what is wrong
     */
    public static Manifest parse(byte[] content, String contentType) {
        JsonNode root;
        try {
            root = JSON.readTree(content);
        } catch (JsonProcessingException e) {
            throw invalid("manifest is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw invalid("manifest could not be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw invalid("manifest must be a JSON object");
        }

        String mediaType = mediaTypeOf(root, MediaTypes.base(contentType));
        if (!root.path("schemaVersion").isInt() || root.get("schemaVersion").intValue() != 2) {
            throw invalid("schemaVersion must be 2, got " + root.path("schemaVersion"));
        }

        Descriptor subject = root.has("subject") ? descriptor(root.get("subject"), "subject") : null;
        Map<String, String> annotations = stringMap(root.get("annotations"), "annotations");
        String artifactType = optionalText(root, "artifactType");

        if (MediaTypes.isIndex(mediaType)) {
            List<Descriptor> children = descriptors(root.get("manifests"), "manifests", true);
            return new Manifest(mediaType, artifactType, List.of(), children, subject, annotations);
        }
        Descriptor config = descriptor(root.get("config"), "config");
        List<Descriptor> blobs = new ArrayList<>();
        blobs.add(config);
        for (Descriptor layer : descriptors(root.get("layers"), "layers", MediaTypes.DOCKER_MANIFEST.equals(mediaType))) {
            if (!MediaTypes.NON_DISTRIBUTABLE.contains(layer.mediaType())) {
                blobs.add(layer);
            }
        }
        if (artifactType == null && MediaTypes.OCI_MANIFEST.equals(mediaType)) {
            artifactType = config.mediaType();
        }
        return new Manifest(mediaType, artifactType, List.copyOf(blobs), List.of(), subject, annotations);
    }

    /**
     * Returns the media type of a stored manifest for its Content-Type on GET: the
     * {@code mediaType} field, else what its structure shows. Never throws, because a manifest
     * stored by another registry must still be served.
     */
    public static String detectMediaType(byte[] content) {
        try {
            JsonNode root = JSON.readTree(content);
            if (root == null || !root.isObject()) {
                return MediaTypes.OCI_MANIFEST;
            }
            JsonNode field = root.get("mediaType");
            if (field != null && field.isTextual()) {
                return field.textValue();
            }
            if (root.path("schemaVersion").asInt() == 1) {
                return root.has("signatures") ? MediaTypes.DOCKER_SCHEMA1_SIGNED : MediaTypes.DOCKER_SCHEMA1;
            }
            return root.has("manifests") ? MediaTypes.OCI_INDEX : MediaTypes.OCI_MANIFEST;
        } catch (java.io.IOException e) {
            return MediaTypes.OCI_MANIFEST;
        }
    }

    /** Decides the media type from the body's field, the Content-Type, or the structure. */
    private static String mediaTypeOf(JsonNode root, String contentType) {
        if (MediaTypes.DOCKER_SCHEMA1.equals(contentType) || MediaTypes.DOCKER_SCHEMA1_SIGNED.equals(contentType)
                || root.path("schemaVersion").asInt() == 1) {
            throw invalid("Docker schema 1 manifests are not supported; push the image again with a current client, which sends schema 2 or OCI");
        }
        String field = optionalText(root, "mediaType");
        if (field != null && !MediaTypes.MANIFESTS.contains(field)) {
            throw invalid("unsupported manifest mediaType \"" + field + "\"");
        }
        boolean genericContentType = contentType == null || contentType.isEmpty() || contentType.equals("application/json");
        if (!genericContentType && !MediaTypes.MANIFESTS.contains(contentType)) {
            throw invalid("unsupported manifest Content-Type \"" + contentType + "\"; expected one of " + MediaTypes.MANIFESTS);
        }
        if (field != null && !genericContentType && !field.equals(contentType)) {
            throw invalid("Content-Type \"" + contentType + "\" does not match the manifest's mediaType \"" + field + "\"");
        }
        if (field != null) {
            return field;
        }
        if (!genericContentType) {
            return contentType;
        }
        // An OCI manifest may omit mediaType; its structure shows which kind it is.
        if (root.has("manifests")) {
            return MediaTypes.OCI_INDEX;
        }
        if (root.has("config")) {
            return MediaTypes.OCI_MANIFEST;
        }
        throw invalid("cannot tell the manifest's media type: no mediaType field, no Content-Type, and neither config nor manifests");
    }

    private static List<Descriptor> descriptors(JsonNode array, String field, boolean required) {
        if (array == null || array.isNull()) {
            if (required) {
                throw invalid("field \"" + field + "\" is required");
            }
            return List.of();
        }
        if (!array.isArray()) {
            throw invalid("field \"" + field + "\" must be an array");
        }
        List<Descriptor> result = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            result.add(descriptor(array.get(i), field + "[" + i + "]"));
        }
        return List.copyOf(result);
    }

    private static Descriptor descriptor(JsonNode node, String field) {
        if (node == null || !node.isObject()) {
            throw invalid("field \"" + field + "\" must be a descriptor object");
        }
        String mediaType = optionalText(node, "mediaType");
        if (mediaType == null || mediaType.isEmpty()) {
            throw invalid(field + ".mediaType is required");
        }
        JsonNode size = node.get("size");
        if (size == null || !size.canConvertToLong() || !size.isIntegralNumber() || size.longValue() < 0) {
            throw invalid(field + ".size must be a non-negative integer, got " + size);
        }
        String digest = optionalText(node, "digest");
        if (digest == null) {
            throw invalid(field + ".digest is required");
        }
        try {
            return new Descriptor(mediaType, Digest.parse(digest), size.longValue());
        } catch (RegistryException e) {
            throw invalid(field + ".digest: " + e.getMessage());
        }
    }

    private static String optionalText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw invalid("field \"" + field + "\" must be a string");
        }
        return value.textValue();
    }

    private static Map<String, String> stringMap(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw invalid("field \"" + field + "\" must be an object of strings");
        }
        Map<String, String> result = new LinkedHashMap<>();
        for (var entry : node.properties()) {
            if (!entry.getValue().isTextual()) {
                throw invalid(field + "." + entry.getKey() + " must be a string");
            }
            result.put(entry.getKey(), entry.getValue().textValue());
        }
        return result;
    }

    private static RegistryException invalid(String message) {
        return new RegistryException(ErrorCode.MANIFEST_INVALID, message);
    }
}
