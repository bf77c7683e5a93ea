package io.entrepot.registry;

import java.util.List;
import java.util.Map;

/**
 * A parsed manifest: what the registry needs to validate and index it, beside the exact bytes
 * it keeps and serves.
 *
 * @param mediaType the manifest's media type, from its {@code mediaType} field or, when absent,
 *     from the request's Content-Type
 * @param artifactType the {@code artifactType} field, or for an image manifest without one the
 *     config media type, as the referrers API reports it; null for an index without one
 * @param blobs descriptors of the config and layers that must exist in the repository
 * @param children descriptors of the manifests an index lists, which must exist in the repository
 * @param subject the manifest this one refers to, or null
 * @param annotations the {@code annotations} field, empty when absent
 */
public record Manifest(
        String mediaType,
        String artifactType,
        List<Descriptor> blobs,
        List<Descriptor> children,
        Descriptor subject,
        Map<String, String> annotations) {}
