package io.entrepot.cache;

import io.entrepot.registry.BlobDescriptorCache;

/** A blob descriptor cache that counts its lookups. */
public interface MeasuredCache extends BlobDescriptorCache {

    /** Returns the lookup counts since start-up. */
    CacheStatistics statistics();

    /** Returns the {@code storage.cache.blobdescriptor} value this cache implements, such as {@code redis}. */
    String type();

    /**
     * Drops every entry held in this process. A cache whose entries live in a shared backend,
     * such as Redis, keeps them, because the collector that deleted the blobs removed its entries there.
     */
    default void invalidateLocalEntries() {}

    /**
     * Returns whether a garbage collection makes lookups bypass the cache. A cache without a fence
     * returns {@link FenceState#NONE}.
     */
    default FenceState fenceState() {
        return FenceState.NONE;
    }
}
