package io.entrepot.registry;

import io.entrepot.storage.PathNotFoundException;
import io.entrepot.storage.StorageDriver;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
    private final BlobReferences references;
    private final Clock clock;
    private final Duration referenceWindow;
    private volatile ImmutableTags immutableTags = ImmutableTags.NONE;

    public ManifestStore(StorageDriver driver, BlobStore blobs, RepositoryLinks layers, TagStore tags) {
        this(driver, blobs, layers, tags, new RepositoryLinks(driver, StorageLayout::manifestRevisionLink),
                new BlobReferences(driver, Clock.systemUTC()), Clock.systemUTC(), Registry.DEFAULT_REFERENCE_WINDOW);
    }

    /**
     * Creates a store whose manifest revision links are {@code revisions}, which may consult a cache.
     *
     * @param referenceWindow the longest a {@link #put} may take from recording its references to
     *     linking the manifest; an online collector's grace period must exceed it
     */
    public ManifestStore(StorageDriver driver, BlobStore blobs, RepositoryLinks layers, TagStore tags, RepositoryLinks revisions,
            BlobReferences references, Clock clock, Duration referenceWindow) {
        this.blobs = blobs;
        this.layers = layers;
        this.revisions = revisions;
        this.tags = tags;
        this.referrers = new ReferrerIndex(driver, this);
        this.references = references;
        this.clock = clock;
        this.referenceWindow = referenceWindow;
    }

    /** Sets the tags that pushes and deletes must leave alone. */
    public void setImmutableTags(ImmutableTags immutableTags) {
        this.immutableTags = immutableTags;
    }

    /** Returns the tags that pushes and deletes must leave alone. */
    public ImmutableTags immutableTags() {
        return immutableTags;
    }

    /** Links of manifests into repositories, for maintenance jobs. */
    public RepositoryLinks revisions() {
        return revisions;
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
     *     or child manifest, UNAVAILABLE when a garbage collection kept it from completing in time
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

        if (reference instanceof Reference.ByTag byTag) {
            checkTagMayMove(repository, byTag.tag(), digest);
        }

        // Reject bad input before writing anything, then claim the references (the garbage
        // collector's protocol) and check again, because a sweep may have run in between.
        checkReferencesExist(repository, manifest);
        Instant claimed = clock.instant();
        claimReferences(digest, manifest);
        checkReferencesStored(repository, manifest);

        boolean linkedBefore = revisions.contains(repository, digest);
        blobs.write(digest, content);
        revisions.link(repository, digest);
        checkWithinReferenceWindow(repository, digest, claimed, linkedBefore);

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

    /**
     * Rejects moving or removing an immutable tag. Pushing the digest an immutable tag already
     * names is allowed, because it changes nothing; {@code target} is null for a removal.
     */
    private void checkTagMayMove(RepositoryName repository, Tag tag, Digest target) throws IOException {
        Glob pattern = immutableTags.matching(repository, tag);
        if (pattern == null) {
            return;
        }
        var current = tags.resolve(repository, tag);
        if (current.isEmpty() || current.get().equals(target)) {
            return;
        }
        throw new RegistryException(ErrorCode.DENIED,
                "tag " + tag + " of " + repository + " is immutable (retention.immutabletags pattern \"" + pattern
                        + "\") and points at " + current.get() + "; push under a new tag instead",
                Map.of("tag", tag.toString()));
    }

    /** Records that this push names the manifest and everything it references, then waits out any sweep of them. */
    private void claimReferences(Digest digest, Manifest manifest) throws IOException {
        List<Digest> named = new ArrayList<>();
        named.add(digest);
        manifest.blobs().forEach(blob -> named.add(blob.digest()));
        manifest.children().forEach(child -> named.add(child.digest()));
        for (Digest each : named) {
            references.touch(each);
        }
        for (Digest each : named) {
            references.awaitNoSweep(each);
        }
    }

    /**
     * Undoes the link when the push took longer than the reference window, because a collector
     * that started meanwhile may have judged the references stale and removed them.
     */
    private void checkWithinReferenceWindow(RepositoryName repository, Digest digest, Instant claimed, boolean linkedBefore)
            throws IOException {
        Duration elapsed = Duration.between(claimed, clock.instant());
        if (elapsed.compareTo(referenceWindow) <= 0) {
            return;
        }
        if (!linkedBefore) {
            revisions.unlink(repository, digest);
        }
        throw new RegistryException(ErrorCode.UNAVAILABLE,
                "storing manifest " + digest + " took " + elapsed.toMillis() + " ms, more than the "
                        + referenceWindow.toMillis() + " ms that garbage collection allows; retry the push",
                Map.of("digest", digest.toString()));
    }

    /**
     * Checks the references again in storage, bypassing the cache, because the collector that
     * the claim races with may run on another instance whose deletions this cache has not seen.
     */
    private void checkReferencesStored(RepositoryName repository, Manifest manifest) throws IOException {
        for (Descriptor blob : manifest.blobs()) {
            if (!blobs.existsInStorage(blob.digest())) {
                blobs.forget(blob.digest());
                throw new RegistryException(ErrorCode.MANIFEST_BLOB_UNKNOWN,
                        "manifest references blob " + blob.digest() + " which is not in repository " + repository,
                        Map.of("digest", blob.digest().toString()));
            }
        }
        for (Descriptor child : manifest.children()) {
            if (!revisions.containsInStorage(repository, child.digest())) {
                throw new RegistryException(ErrorCode.MANIFEST_BLOB_UNKNOWN,
                        "index references manifest " + child.digest() + " which is not in repository " + repository,
                        Map.of("digest", child.digest().toString()));
            }
        }
    }

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
            checkTagMayMove(repository, byTag.tag(), null);
            if (!tags.untag(repository, byTag.tag())) {
                throw RegistryException.manifestUnknown(repository, byTag.toString());
            }
            return;
        }
        Digest digest = resolve(repository, reference);
        for (Tag tag : tags.tagsOf(repository, digest)) {
            checkTagMayMove(repository, tag, null);
        }
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
