package io.entrepot.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.entrepot.registry.Descriptor;
import io.entrepot.registry.Digest;
import io.entrepot.registry.RepositoryName;
import java.util.Optional;

/**
 * {@code storage.cache.blobdescriptor: inmemory}: one bounded Caffeine cache per process, holding
 * descriptors and links together, so {@code blobdescriptorsize} bounds the total entry count.
 *
 * <p>Entries live in this process only. With several instances, a delete through the API on one
 * instance is not seen by the caches of the others, which keep returning their entries until
 * eviction; use the {@code redis} cache when instances serve deletes. Garbage collection is
 * different: {@link SweepFencedCache} drops every entry when a collection starts and ends.
 */
final class InMemoryBlobDescriptorCache implements MeasuredCache {

    /** Key of a link entry; descriptor entries are keyed by their {@link Digest}. */
    private record LinkKey(LinkKind kind, RepositoryName repository, Digest digest) {}

    private final Cache<Object, Object> entries;
    private final CacheStatistics statistics;

    InMemoryBlobDescriptorCache(long maximumSize, CacheStatistics statistics) {
        this.entries = Caffeine.newBuilder().maximumSize(maximumSize).build();
        this.statistics = statistics;
    }

    @Override
    public Optional<Descriptor> descriptor(Digest digest) {
        Optional<Descriptor> descriptor = Optional.ofNullable((Descriptor) entries.getIfPresent(digest));
        statistics.record(descriptor.isPresent());
        return descriptor;
    }

    @Override
    public void putDescriptor(Descriptor descriptor, Generation generation) {
        entries.put(descriptor.digest(), descriptor);
    }

    @Override
    public void removeDescriptor(Digest digest) {
        entries.invalidate(digest);
    }

    @Override
    public boolean isLinked(LinkKind kind, RepositoryName repository, Digest digest) {
        boolean linked = entries.getIfPresent(new LinkKey(kind, repository, digest)) != null;
        statistics.record(linked);
        return linked;
    }

    @Override
    public void putLink(LinkKind kind, RepositoryName repository, Digest digest, Generation generation) {
        entries.put(new LinkKey(kind, repository, digest), Boolean.TRUE);
    }

    @Override
    public void removeLink(LinkKind kind, RepositoryName repository, Digest digest) {
        entries.invalidate(new LinkKey(kind, repository, digest));
    }

    @Override
    public void invalidateLocalEntries() {
        entries.invalidateAll();
    }

    @Override
    public CacheStatistics statistics() {
        return statistics;
    }

    @Override
    public String type() {
        return "inmemory";
    }
}
