package io.entrepot.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Reads and checks an OCI image layout directory: {@code oci-layout}, {@code index.json} and
 * {@code blobs/sha256/<hex>}.
 */
public final class OciLayout {

    /** Annotation that names a tag in an OCI layout's {@code index.json}. */
    static final String REF_NAME = "org.opencontainers.image.ref.name";

    static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;

    public OciLayout(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /** Returns the skopeo transport reference {@code oci:<dir>:<tag>} for a tag of this layout. */
    public String reference(String tag) {
        return "oci:" + root + ":" + tag;
    }

    /** Returns the parsed {@code index.json}. */
    public ObjectNode index() {
        try {
            return (ObjectNode) JSON.readTree(root.resolve("index.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("failed to read index.json of OCI layout " + root, e);
        }
    }

    /** Replaces {@code index.json} with {@code index}. */
    void writeIndex(ObjectNode index) {
        try {
            JSON.writeValue(root.resolve("index.json").toFile(), index);
        } catch (IOException e) {
            throw new UncheckedIOException("failed to write index.json of OCI layout " + root, e);
        }
    }

    /** Returns the descriptor in {@code index.json} whose ref.name annotation is {@code tag}. */
    public JsonNode descriptor(String tag) {
        ArrayNode manifests = (ArrayNode) index().path("manifests");
        for (JsonNode descriptor : manifests) {
            if (tag.equals(descriptor.path("annotations").path(REF_NAME).asText(null))) {
                return descriptor;
            }
        }
        throw new AssertionError("tag " + tag + " not found in " + root.resolve("index.json")
                + ": " + manifests);
    }

    /** Returns the digest, {@code sha256:<hex>}, of the manifest or index tagged {@code tag}. */
    public String digest(String tag) {
        return descriptor(tag).path("digest").asText();
    }

    /** Returns the path of the blob {@code sha256:<hex>}. */
    public Path blobPath(String digest) {
        if (!digest.startsWith("sha256:")) {
            throw new IllegalArgumentException("only sha256 digests are supported, got: " + digest);
        }
        return root.resolve("blobs").resolve("sha256").resolve(digest.substring("sha256:".length()));
    }

    /** Returns the content of the blob {@code sha256:<hex>} as JSON. */
    public JsonNode readJsonBlob(String digest) {
        try {
            return JSON.readTree(blobPath(digest).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("failed to read blob " + digest + " in " + root, e);
        }
    }

    /** Returns every blob file of the layout, keyed by its digest {@code sha256:<hex>}. */
    public Map<String, Path> blobs() {
        Map<String, Path> blobs = new TreeMap<>();
        try (Stream<Path> files = Files.list(root.resolve("blobs").resolve("sha256"))) {
            files.forEach(file -> blobs.put("sha256:" + file.getFileName(), file));
        } catch (IOException e) {
            throw new UncheckedIOException("failed to list blobs of OCI layout " + root, e);
        }
        return blobs;
    }

    /**
     * Returns the digests of the manifest or index {@code digest} and of every blob it
     * references, following an index down to its manifests and their configs and layers.
     */
    public Set<String> reachableBlobs(String digest) {
        Set<String> reachable = new TreeSet<>();
        collectReachable(digest, reachable);
        return reachable;
    }

    private void collectReachable(String digest, Set<String> reachable) {
        reachable.add(digest);
        JsonNode manifest = readJsonBlob(digest);
        for (JsonNode child : manifest.path("manifests")) {
            collectReachable(child.path("digest").asText(), reachable);
        }
        if (manifest.has("config")) {
            reachable.add(manifest.path("config").path("digest").asText());
        }
        for (JsonNode layer : manifest.path("layers")) {
            reachable.add(layer.path("digest").asText());
        }
    }

    /**
     * Asserts that {@code copy} contains {@code tag} with the same digest as this layout, that every
     * blob reachable from it is present in {@code copy}, and that each blob file of {@code copy}
     * is byte for byte the same as this layout's and hashes to its name.
     */
    public void assertCopiedTo(OciLayout copy, String tag) {
        assertThat(copy.digest(tag)).as("digest of %s in the copied layout", tag).isEqualTo(digest(tag));
        assertThat(copy.blobs().keySet()).as("blobs of the copied layout").containsAll(reachableBlobs(digest(tag)));

        copy.blobs().forEach((digest, file) -> {
            assertThat(blobPath(digest)).as("copied blob %s in the source layout", digest).exists();
            try {
                assertThat(Files.mismatch(file, blobPath(digest))).as("first differing byte of blob %s", digest)
                        .isEqualTo(-1L);
            } catch (IOException e) {
                throw new UncheckedIOException("failed to compare blob " + digest, e);
            }
        });
        copy.assertBlobsMatchTheirNames();
    }

    /** Asserts that every blob file's content hashes to the digest in its file name. */
    public void assertBlobsMatchTheirNames() {
        blobs().forEach((digest, file) ->
                assertThat(sha256(file)).as("sha256 of blob file %s", file).isEqualTo(digest));
    }

    /** Returns {@code sha256:<hex>} of a file's content, read as a stream. */
    public static String sha256(Path file) {
        MessageDigest digest = newSha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
            return "sha256:" + HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("failed to hash " + file, e);
        }
    }

    /** Returns {@code sha256:<hex>} of {@code bytes}. */
    public static String sha256(byte[] bytes) {
        return "sha256:" + HexFormat.of().formatHex(newSha256().digest(bytes));
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime must provide SHA-256", e);
        }
    }
}
