package io.entrepot.registry;

import io.entrepot.storage.PathNotFoundException;
import io.entrepot.storage.StorageDriver;
import io.entrepot.storage.StoragePaths;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Which manifests name a given manifest as their {@code subject}, kept as link files under
 * {@code _referrers/<subject>/} so that the referrers API lists them without scanning the
 * repository. Entrepot's own addition to distribution's layout; registry:2 ignores it.
 */
public final class ReferrerIndex {

    /** One entry of the referrers response: a descriptor with the referrer's artifact type and annotations. */
    public record Referrer(Descriptor descriptor, String artifactType, java.util.Map<String, String> annotations) {}

    private final StorageDriver driver;
    private final ManifestStore manifests;

    ReferrerIndex(StorageDriver driver, ManifestStore manifests) {
        this.driver = driver;
        this.manifests = manifests;
    }

    void add(RepositoryName repository, Digest subject, Digest referrer) throws IOException {
        driver.putContent(StorageLayout.referrerLink(repository, subject, referrer),
                referrer.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    void remove(RepositoryName repository, Digest subject, Digest referrer) throws IOException {
        String link = StorageLayout.referrerLink(repository, subject, referrer);
        try {
            driver.delete(StoragePaths.parent(link));
        } catch (PathNotFoundException e) {
            // already gone
        }
    }

    /**
     * Lists the manifests whose subject is {@code subject}, optionally only those of one
     * artifact type, ordered by digest. A referrer whose manifest was deleted is left out.
     */
    public List<Referrer> list(RepositoryName repository, Digest subject, String artifactType) throws IOException {
        List<Referrer> result = new ArrayList<>();
        for (Digest.Algorithm algorithm : Digest.Algorithm.values()) {
            List<String> entries;
            try {
                entries = driver.list(StorageLayout.referrers(repository, subject) + "/" + algorithm.id());
            } catch (PathNotFoundException e) {
                continue;
            }
            for (String entry : entries.stream().sorted().toList()) {
                Digest digest;
                try {
                    digest = new Digest(algorithm, StoragePaths.baseName(entry));
                } catch (RegistryException e) {
                    continue;
                }
                Manifest manifest = manifests.parseStored(repository, digest);
                if (manifest == null || (artifactType != null && !artifactType.equals(manifest.artifactType()))) {
                    continue;
                }
                Descriptor descriptor = new Descriptor(manifest.mediaType(), digest, manifests.sizeOf(digest));
                result.add(new Referrer(descriptor, manifest.artifactType(), manifest.annotations()));
            }
        }
        return result;
    }
}
