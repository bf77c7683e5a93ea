package io.entrepot.config;

/**
 * The {@code storage.cache} section.
 *
 * @param blobDescriptor where blob descriptors and repository membership are cached
 * @param blobDescriptorSize maximum number of entries of the in-memory cache
 */
public record CacheConfig(BlobDescriptor blobDescriptor, long blobDescriptorSize) {

    /** {@code storage.cache.blobdescriptor}. */
    public enum BlobDescriptor { NONE, INMEMORY, REDIS }

    /** Distribution's default for {@code blobdescriptorsize}. */
    public static final long DEFAULT_SIZE = 10_000;

    public static final CacheConfig NONE = new CacheConfig(BlobDescriptor.NONE, DEFAULT_SIZE);
}
