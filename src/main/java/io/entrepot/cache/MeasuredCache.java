package io.entrepot.cache;

import io.entrepot.registry.BlobDescriptorCache;

/** A blob descriptor cache that counts its lookups. */
public interface MeasuredCache extends BlobDescriptorCache {

    /** Returns the lookup counts since start-up. */
    CacheStatistics statistics();

    /** Returns the {@code storage.cache.blobdescriptor} value this cache implements, such as {@code redis}. */
    String type();
}
