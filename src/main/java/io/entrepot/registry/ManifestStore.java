package io.entrepot.registry;

import io.entrepot.storage.PathNotFoundException;
import io.entrepot.storage.StorageDriver;
import java.io.IOException;
import java.util.Map;

/**
 * Manifests of repositories: validated and stored on PUT, served byte for byte on GET, removed
 * with the tags and referrer entries that point at them on DELETE.
 */
public final class ManifestStore {

    private final BlobStore blobs;
    private final RepositoryLinks layers;
    private final RepositoryLinks revisions;
    private final TagStore tags;
    private final ReferrerIndex referrers;

    public ManifestStore(StorageDriver driver, BlobStore blobs, RepositoryLinks layers, TagStore tags) {
        this(driver, blobs, layers, tags, new RepositoryLinks(driver, StorageLayout::manifestRevisionLink));
    }

    /** Creates a store whose manifest revision links are {@code revisions}, which may consult a cache. */
    public ManifestStore(StorageDriver driver, BlobStore blobs, RepositoryLinks layers, TagStore tags, RepositoryLinks revisions) {
        this.blobs = blobs;
        this.layers = layers;
        this.revisions = revisions;
        this.tags = tags;
        this.referrers = new ReferrerIndex(driver, this);
    }

    /** Returns the referrers index that this store maintains. */
    public ReferrerIndex referrers() {
        return referrers;
    }

    /** Returns whether {@code digest} is a manifest of {@code repository}. */
    public boolean contains(RepositoryName repository, Digest digest) throws IOException {
        return revisions.contains(repository, digest);
    }

    /** Resolves a tag or digest reference to the manifest's digest. */
    public Digest resolve(RepositoryName repository, Reference reference) throws IOException {
        return switch (reference) {
            case Reference.ByTag byTag -> tags.resolve(repository, byTag.tag())
                    .orElseThrow(() -> RegistryException.manifestUnknown(repository, byTag.toString()));
            case Reference.ByDigest byDigest -> {
                if (!revisions.contains(repository, byDigest.digest())) {
                    throw RegistryException.manifestUnknown(repository, byDigest.toString());
                }
                yield byDigest.digest();
            }
        };
    }

    /**
     * Returns the manifest named by {@code reference}.
     *
     * @throws RegistryException with MANIFEST_UNKNOWN when the repository has no such manifest
     */
    public StoredManifest get(RepositoryName repository, Reference reference) throws IOException {
        Digest digest = resolve(repository, reference);
        byte[] content;
        try {
            content = blobs.read(digest);
        } catch (RegistryException e) {
            // A revision link whose blob was removed, such as by an interrupted cleanup.
            throw RegistryException.manifestUnknown(repository, reference.toString());
        }
        return new StoredManifest(digest, ManifestParser.detectMediaType(content), content);
    }

    /**
     * Validates and stores a manifest, then points the tag at it when {@code reference} is a tag.
     *
     * @return the stored manifest and its parsed form
     * @throws RegistryException MANIFEST_INVALID when it does not parse, DIGEST_INVALID when it
     *     does not match a digest reference, MANIFEST_BLOB_UNKNOWN naming the first missing blob
     *     or child manifest
     */
    public PutResult put(RepositoryName repository, Reference reference, byte[] content, String contentType) throws IOException {
        Manifest manifest = ManifestParser.parse(content, contentType);

        Digest digest = switch (reference) {
            case Reference.ByDigest byDigest -> {
                Digest actual = byDigest.digest().recompute(content);
                if (!actual.equals(byDigest.digest())) {
                    throw new RegistryException(ErrorCode.DIGEST_INVALID,
                            "manifest digest mismatch: URL names " + byDigest.digest() + " but the body hashes to " + actual,
                            Map.of("digest", byDigest.digest().toString()));
                }
                yield actual;
            }
            case Reference.ByTag ignored -> Digest.sha256(content);
        };

        checkReferencesExist(repository, manifest);

        blobs.write(digest, content);
        revisions.link(repository, digest);
        if (manifest.subject() != null) {
            referrers.add(repository, manifest.subject().digest(), digest);
        }
        if (reference instanceof Reference.ByTag byTag) {
            tags.tag(repository, byTag.tag(), digest);
        }
        return new PutResult(new StoredManifest(digest, manifest.mediaType(), content), manifest);
    }

    /** What {@link #put} stored. */
    public record PutResult(StoredManifest stored, Manifest manifest) {}

    private void checkReferencesExist(RepositoryName repository, Manifest manifest) throws IOException {
        for (Descriptor blob : manifest.blobs()) {
            if (!layers.contains(repository, blob.digest()) || blobs.stat(blob.digest()).isEmpty()) {
                throw new RegistryException(ErrorCode.MANIFEST_BLOB_UNKNOWN,
                        "manifest references blob " + blob.digest() + " which is not in repository " + repository,
                        Map.of("digest", blob.digest().toString()));
            }
        }
        for (Descriptor child : manifest.children()) {
            if (!revisions.contains(repository, child.digest())) {
                throw new RegistryException(ErrorCode.MANIFEST_BLOB_UNKNOWN,
                        "index references manifest " + child.digest() + " which is not in repository " + repository,
                        Map.of("digest", child.digest().toString()));
            }
        }
    }

    /**
     * Deletes by digest (the manifest, every tag pointing at it and its referrer entry) or by tag
     * (the tag only).
     *
     * @throws RegistryException with MANIFEST_UNKNOWN when there is nothing to delete
     */
    public void delete(RepositoryName repository, Reference reference) throws IOException {
        if (reference instanceof Reference.ByTag byTag) {
            if (!tags.untag(repository, byTag.tag())) {
                throw RegistryException.manifestUnknown(repository, byTag.toString());
            }
            return;
        }
        Digest digest = resolve(repository, reference);
        try {
            Manifest manifest = ManifestParser.parse(blobs.read(digest), null);
            if (manifest.subject() != null) {
                referrers.remove(repository, manifest.subject().digest(), digest);
            }
        } catch (RegistryException e) {
            // An unparsable or missing manifest has no referrer entry to remove.
        }
        for (Tag tag : tags.tagsOf(repository, digest)) {
            tags.untag(repository, tag);
        }
        revisions.unlink(repository, digest);
    }

    /** Returns the parsed manifest for the referrers API, or null when it is gone or unparsable. */
    Manifest parseStored(RepositoryName repository, Digest digest) throws IOException {
        if (!revisions.contains(repository, digest)) {
            return null;
        }
        try {
            return ManifestParser.parse(blobs.read(digest), null);
        } catch (RegistryException e) {
            return null;
        } catch (PathNotFoundException e) {
            return null;
        }
    }

    long sizeOf(Digest digest) throws IOException {
        return blobs.stat(digest).map(Descriptor::size).orElse(-1L);
    }
}
