package io.entrepot.registry;

import io.entrepot.storage.PathNotFoundException;
import io.entrepot.storage.StorageDriver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.BiFunction;

/**
 * The link files that make a stored blob or manifest part of a repository: a file named
 * {@code link} whose content is the digest. One instance serves one kind of link (layers or
 * manifest revisions), chosen by the path function given at construction.
 */
public final class RepositoryLinks {

    private final StorageDriver driver;
    private final BiFunction<RepositoryName, Digest, String> linkPath;
    private final BlobDescriptorCache.LinkKind kind;
    private final BlobDescriptorCache cache;

    public RepositoryLinks(StorageDriver driver, BiFunction<RepositoryName, Digest, String> linkPath) {
        this(driver, linkPath, BlobDescriptorCache.LinkKind.LAYER, BlobDescriptorCache.NONE);
    }

    /** Links of one {@code kind}, looked up in {@code cache} before storage. */
    public RepositoryLinks(StorageDriver driver, BiFunction<RepositoryName, Digest, String> linkPath,
            BlobDescriptorCache.LinkKind kind, BlobDescriptorCache cache) {
        this.driver = driver;
        this.linkPath = linkPath;
        this.kind = kind;
        this.cache = cache;
    }

    /** Returns whether {@code digest} is linked into {@code repository}. */
    /** Returns whether the link is in storage, reading storage and never the cache. */
    public boolean containsInStorage(RepositoryName repository, Digest digest) throws IOException {
        try {
            String content = new String(driver.getContent(linkPath.apply(repository, digest)), StandardCharsets.UTF_8).trim();
            return content.equals(digest.toString());
        } catch (PathNotFoundException e) {
            return false;
        }
    }

    public boolean contains(RepositoryName repository, Digest digest) throws IOException {
        BlobDescriptorCache.Generation generation = cache.generation();
        if (cache.isLinked(kind, repository, digest)) {
            return true;
        }
        try {
            String content = new String(driver.getContent(linkPath.apply(repository, digest)), StandardCharsets.UTF_8).trim();
            boolean linked = content.equals(digest.toString());
            if (linked) {
                cache.putLink(kind, repository, digest, generation);
            }
            return linked;
        } catch (PathNotFoundException e) {
            return false;
        }
    }

    /** Links {@code digest} into {@code repository}; linking twice is harmless. */
    public void link(RepositoryName repository, Digest digest) throws IOException {
        BlobDescriptorCache.Generation generation = cache.generation();
        driver.putContent(linkPath.apply(repository, digest), digest.toString().getBytes(StandardCharsets.UTF_8));
        cache.putLink(kind, repository, digest, generation);
    }

    /** Removes the link, from storage and from the cache that every instance shares; returns false when there was none. */
    public boolean unlink(RepositoryName repository, Digest digest) throws IOException {
        String link = linkPath.apply(repository, digest);
        // The entry is removed before and after the storage delete. Removing it only before would let
        // another instance that read the link just before the delete cache it again for good.
        // NOTE: an instance whose storage read started before the delete, and whose cache write lands
        // after the second removal, can still leave a stale entry, which stays until the cache evicts it.
        cache.removeLink(kind, repository, digest);
        try {
            // The link sits alone in a directory named after the digest; remove the directory.
            driver.delete(link.substring(0, link.lastIndexOf('/')));
            return true;
        } catch (PathNotFoundException e) {
            return false;
        } finally {
            cache.removeLink(kind, repository, digest);
        }
    }

    /** Reads a link file, returning the digest it contains. */
    static Digest readLink(StorageDriver driver, String path) throws IOException {
        return Digest.parse(new String(driver.getContent(path), StandardCharsets.UTF_8).trim());
    }
}
