package io.entrepot.registry;

import io.entrepot.storage.PathNotFoundException;
import io.entrepot.storage.StorageDriver;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * The registry-wide, content-addressed store of blob and manifest bytes. Knows nothing of
 * repositories: whether a repository may see a blob is decided by {@link RepositoryLinks}.
 */
public final class BlobStore {

    private final StorageDriver driver;
    private final BlobDescriptorCache cache;

    public BlobStore(StorageDriver driver) {
        this(driver, BlobDescriptorCache.NONE);
    }

    public BlobStore(StorageDriver driver, BlobDescriptorCache cache) {
        this.driver = driver;
        this.cache = cache;
    }

    /** Returns the blob's descriptor, from the cache when it contains it, or empty when no blob with that digest is stored. */
    public Optional<Descriptor> stat(Digest digest) throws IOException {
        BlobDescriptorCache.Generation generation = cache.generation();
        Optional<Descriptor> cached = cache.descriptor(digest);
        if (cached.isPresent()) {
            return cached;
        }
        try {
            var info = driver.stat(StorageLayout.blobData(digest));
            if (info.directory()) {
                return Optional.empty();
            }
            Descriptor descriptor = new Descriptor(Descriptor.OCTET_STREAM, digest, info.size());
            cache.putDescriptor(descriptor, generation);
            return Optional.of(descriptor);
        } catch (PathNotFoundException e) {
            return Optional.empty();
        }
    }

    /**
     * Returns whether the blob's data is in storage, reading storage and never the cache, because
     * another instance's garbage collection may have deleted it since it was cached.
     */
    public boolean existsInStorage(Digest digest) throws IOException {
        try {
            return !driver.stat(StorageLayout.blobData(digest)).directory();
        } catch (PathNotFoundException e) {
            return false;
        }
    }

    /** Drops the blob's descriptor from the cache after the blob was deleted from storage. */
    public void forget(Digest digest) {
        cache.removeDescriptor(digest);
    }

    /** Returns the cache's fence generation, to take before storing a blob that {@link #recordStored} then records. */
    BlobDescriptorCache.Generation cacheGeneration() {
        return cache.generation();
    }

    /**
     * Records in the cache a blob that was just moved into place, so the next stat needs no
     * storage read; {@code generation} is from {@link #cacheGeneration} before the blob was stored.
     */
    void recordStored(Descriptor descriptor, BlobDescriptorCache.Generation generation) {
        cache.putDescriptor(descriptor, generation);
    }

    /**
     * Opens the blob at {@code offset}.
     *
     * @throws RegistryException with BLOB_UNKNOWN when the blob is not stored
     */
    public InputStream open(Digest digest, long offset) throws IOException {
        try {
            return driver.reader(StorageLayout.blobData(digest), offset);
        } catch (PathNotFoundException e) {
            throw RegistryException.blobUnknown(digest);
        }
    }

    /** Returns the whole content of a small blob, such as a manifest. */
    public byte[] read(Digest digest) throws IOException {
        try {
            return driver.getContent(StorageLayout.blobData(digest));
        } catch (PathNotFoundException e) {
            throw RegistryException.blobUnknown(digest);
        }
    }

    /** Stores {@code content} under {@code digest}, which the caller has verified, unless it is already there. */
    public void write(Digest digest, byte[] content) throws IOException {
        if (stat(digest).isEmpty()) {
            driver.putContent(StorageLayout.blobData(digest), content);
        }
    }

    /** Returns a URL the client may download the blob from directly, if the driver offers one. */
    public Optional<String> redirectUrl(Digest digest, String method) throws IOException {
        return driver.redirectUrl(StorageLayout.blobData(digest), method);
    }
}
