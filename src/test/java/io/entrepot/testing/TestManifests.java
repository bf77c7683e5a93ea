package io.entrepot.testing;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Builds small OCI manifests and indexes as bytes, for tests that push images without a build tool. */
public final class TestManifests {

    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    private static final String CONFIG = "application/vnd.oci.image.config.v1+json";
    private static final String LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";

    /** A blob of a manifest: its digest and size. */
    public record Blob(String digest, long size) {
        public static Blob of(byte[] content) {
            return new Blob(RegistryClient.sha256(content), content.length);
        }
    }

    private TestManifests() {}

    /** Returns an OCI image manifest naming {@code config} and {@code layers}, with a subject when not null. */
    public static byte[] image(Blob config, List<Blob> layers, Blob subject) {
        StringBuilder json = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",");
        json.append("\"config\":").append(descriptor(CONFIG, config)).append(",\"layers\":[");
        for (int i = 0; i < layers.size(); i++) {
            json.append(i == 0 ? "" : ",").append(descriptor(LAYER, layers.get(i)));
        }
        json.append(']');
        if (subject != null) {
            json.append(",\"subject\":").append(descriptor(OCI_MANIFEST, subject));
        }
        return json.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Returns an OCI index listing {@code children}, which are image manifests. */
    public static byte[] index(List<Blob> children) {
        StringBuilder json = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_INDEX + "\",\"manifests\":[");
        for (int i = 0; i < children.size(); i++) {
            json.append(i == 0 ? "" : ",").append(descriptor(OCI_MANIFEST, children.get(i)));
        }
        return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String descriptor(String mediaType, Blob blob) {
        return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + blob.digest() + "\",\"size\":" + blob.size() + "}";
    }
}
