package io.entrepot.maintenance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrepot.registry.Descriptor;
import io.entrepot.registry.Digest;
import io.entrepot.registry.Manifest;
import io.entrepot.registry.ManifestParser;
import io.entrepot.registry.Registry;
import io.entrepot.registry.RegistryException;
import io.entrepot.registry.RepositoryName;
import io.entrepot.registry.StorageLayout;
import io.entrepot.registry.Tag;
import io.entrepot.storage.PathNotFoundException;
import io.entrepot.storage.StorageDriver;
import io.entrepot.storage.StoragePaths;
import io.entrepot.storage.WalkVisitor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One repository as a collection reads it: its manifests with what each references, the digests
 * its tags point at, and the blobs linked into it. Read once per repository and collection.
 */
final class RepositoryScan {

    /**
     * The references of one manifest.
     *
     * @param blobs config and layers
     * @param children manifests an index lists
     * @param subject the manifest this one refers to, or null
     * @param missing whether the manifest's bytes are gone, so nothing is known of its references
     */
    record References(List<Digest> blobs, List<Digest> children, Digest subject, boolean missing) {
        static final References MISSING = new References(List.of(), List.of(), null, true);
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    final RepositoryName name;
    final Map<Digest, References> manifests;
    final Set<Digest> tagged;
    final Set<Digest> layers;

    private Map<Digest, List<Tag>> tagHistory;

    /**
     * Returns, for each digest, the tags whose history ({@code tags/<tag>/index}) records it.
     * Read on first use, because only repositories with untagged manifests to remove need it.
     */
    Map<Digest, List<Tag>> tagHistory(StorageDriver driver) throws IOException {
        if (tagHistory == null) {
            Map<Digest, List<Tag>> history = new java.util.HashMap<>();
            for (String path : listTagDirectories(driver)) {
                String tagName = StoragePaths.baseName(path);
                if (!Tag.isValid(tagName)) {
                    continue;
                }
                for (Digest digest : linkedDigests(driver, path + "/index")) {
                    history.computeIfAbsent(digest, d -> new ArrayList<>()).add(new Tag(tagName));
                }
            }
            tagHistory = history;
        }
        return tagHistory;
    }

    private List<String> listTagDirectories(StorageDriver driver) throws IOException {
        try {
            return driver.list(StorageLayout.tags(name));
        } catch (PathNotFoundException e) {
            return List.of();
        }
    }

    private RepositoryScan(RepositoryName name, Map<Digest, References> manifests, Set<Digest> tagged, Set<Digest> layers) {
        this.name = name;
        this.manifests = manifests;
        this.tagged = tagged;
        this.layers = layers;
    }

    /**
     * Reads {@code name}.
     *
     * @throws IOException when a manifest cannot be parsed, because collecting without knowing
     *     what it references could delete blobs it needs
     */
    static RepositoryScan read(Registry registry, RepositoryName name) throws IOException {
        StorageDriver driver = registry.driver();
        Map<Digest, References> manifests = new LinkedHashMap<>();
        for (Digest digest : linkedDigests(driver, StorageLayout.manifestRevisions(name))) {
            manifests.put(digest, references(registry, name, digest));
        }
        Set<Digest> tagged = new HashSet<>();
        for (Tag tag : registry.tags().list(name)) {
            registry.tags().resolve(name, tag).ifPresent(tagged::add);
        }
        Set<Digest> layers = new HashSet<>(linkedDigests(driver, StorageLayout.repository(name) + "/_layers"));
        return new RepositoryScan(name, manifests, tagged, layers);
    }

    /**
     * Lists every repository that has manifests, layer links or uploads. The catalog lists only
     * those with manifests, which would leave out the links of a repository whose push never
     * reached its manifest.
     */
    static List<RepositoryName> repositories(StorageDriver driver) throws IOException {
        Set<RepositoryName> names = new java.util.TreeSet<>();
        String prefix = StorageLayout.REPOSITORIES + "/";
        try {
            driver.walk(StorageLayout.REPOSITORIES, info -> {
                if (!info.directory()) {
                    return WalkVisitor.Decision.CONTINUE;
                }
                String base = StoragePaths.baseName(info.path());
                if (!base.startsWith("_")) {
                    return WalkVisitor.Decision.CONTINUE;
                }
                String repository = StoragePaths.parent(info.path()).substring(prefix.length());
                if (RepositoryName.isValid(repository)) {
                    names.add(new RepositoryName(repository));
                }
                return WalkVisitor.Decision.SKIP_DIRECTORY;
            });
        } catch (PathNotFoundException e) {
            return List.of();
        }
        return List.copyOf(names);
    }

    /** Lists the digests linked in a tree laid out as {@code <directory>/<algorithm>/<hex>/link}. */
    static List<Digest> linkedDigests(StorageDriver driver, String directory) throws IOException {
        List<Digest> digests = new ArrayList<>();
        for (Digest.Algorithm algorithm : Digest.Algorithm.values()) {
            List<String> entries;
            try {
                entries = driver.list(directory + "/" + algorithm.id());
            } catch (PathNotFoundException e) {
                continue;
            }
            for (String entry : entries) {
                // distribution deletes a link by removing the link file alone, so an empty
                // directory means the digest is no longer linked.
                Optional<Digest> digest = parseDigest(algorithm, StoragePaths.baseName(entry));
                if (digest.isPresent() && hasLink(driver, entry)) {
                    digests.add(digest.get());
                }
            }
        }
        return digests;
    }

    private static boolean hasLink(StorageDriver driver, String directory) throws IOException {
        try {
            return !driver.stat(directory + "/link").directory();
        } catch (PathNotFoundException e) {
            return false;
        }
    }

    static Optional<Digest> parseDigest(Digest.Algorithm algorithm, String hex) {
        try {
            return Optional.of(new Digest(algorithm, hex));
        } catch (RegistryException e) {
            return Optional.empty();
        }
    }

    /** Reads what one manifest references; {@link References#MISSING} when its bytes are gone. */
    static References references(Registry registry, RepositoryName name, Digest digest) throws IOException {
        byte[] content;
        try {
            content = registry.blobs().read(digest);
        } catch (RegistryException e) {
            return References.MISSING;
        }
        try {
            Manifest manifest = ManifestParser.parse(content, null);
            return new References(digests(manifest.blobs()), digests(manifest.children()),
                    manifest.subject() == null ? null : manifest.subject().digest(), false);
        } catch (RegistryException e) {
            return schema1References(content).orElseThrow(() -> new IOException("cannot read manifest " + digest
                    + " of repository " + name + " (" + e.getMessage() + "), so its blobs cannot be told apart from"
                    + " garbage; run entrepot verify, then delete or repair the manifest"));
        }
    }

    /** Reads the layers of a Docker schema 1 manifest, which registries still hold from old pushes. */
    private static Optional<References> schema1References(byte[] content) {
        try {
            JsonNode root = JSON.readTree(content);
            if (root == null || root.path("schemaVersion").asInt() != 1 || !root.path("fsLayers").isArray()) {
                return Optional.empty();
            }
            List<Digest> blobs = new ArrayList<>();
            for (JsonNode layer : root.get("fsLayers")) {
                blobs.add(Digest.parse(layer.path("blobSum").asText()));
            }
            return Optional.of(new References(blobs, List.of(), null, false));
        } catch (IOException | RegistryException e) {
            return Optional.empty();
        }
    }

    private static List<Digest> digests(List<Descriptor> descriptors) {
        return descriptors.stream().map(Descriptor::digest).toList();
    }
}
