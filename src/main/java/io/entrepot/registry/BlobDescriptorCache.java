package io.entrepot.registry;

import java.util.Optional;

/**
 * A cache that the registry services consult before storage: descriptors of stored blobs, and
 * whether a repository links a blob (as a layer) or a manifest (as a revision).
 *
 * <p>Only positive results are cached, because another instance may store a blob at any time; a
 * miss always falls through to storage. Implementations never throw: when their backend fails,
 * lookups miss and writes are dropped, so a cache outage only costs storage reads. The interface
 * lives here, and its implementations in {@code io.entrepot.cache}, so that the registry does not
 * depend on them.
 *
 * <p>Every put carries the {@link Generation} that the caller took with {@link #generation} before
 * it read or wrote the storage that the entry describes. A cache fenced against garbage collection
 * drops the put when a collection may have deleted what storage held at that read.
 */
public interface BlobDescriptorCache extends AutoCloseable {

    /** The kind of link a membership entry records, matching the link directories of a repository. */
    enum LinkKind { LAYER, REVISION }

    /**
     * The fence generation of a cache at one instant. A cache that no garbage collection fences
     * has one generation for its whole life, {@link #UNFENCED}.
     */
    record Generation(long value) {

        /** The generation of a cache that nothing fences. */
        public static final Generation UNFENCED = new Generation(0);
    }

    /**
     * Returns the current fence generation. Take it before the storage read or write whose result
     * is then put, and pass it to the put, so that the put is dropped when a collection started in between.
     */
    default Generation generation() {
        return Generation.UNFENCED;
    }

    /** Returns the descriptor of a stored blob, or empty on a miss. */
    Optional<Descriptor> descriptor(Digest digest);

    /** Records the descriptor of a blob that storage held after {@code generation} was taken. */
    void putDescriptor(Descriptor descriptor, Generation generation);

    /** Forgets a blob, after its data was deleted from storage. */
    void removeDescriptor(Digest digest);

    /** Returns true when the cache contains the link; false is a miss, not a denial. */
    boolean isLinked(LinkKind kind, RepositoryName repository, Digest digest);

    /** Records a link that storage held after {@code generation} was taken. */
    void putLink(LinkKind kind, RepositoryName repository, Digest digest, Generation generation);

    /** Forgets a link, for every instance that shares this cache. */
    void removeLink(LinkKind kind, RepositoryName repository, Digest digest);

    /** Releases connections; the default does nothing. */
    @Override
    default void close() {}

    /** A cache that stores nothing, for {@code storage.cache} left unset. */
    BlobDescriptorCache NONE = new NoCache();

    /** A cache that stores nothing: every lookup misses and every put is dropped. */
    class NoCache implements BlobDescriptorCache {

        /** Protected, so that callers share {@link #NONE} and only subclasses create more. */
        protected NoCache() {}

        @Override
        public Optional<Descriptor> descriptor(Digest digest) {
            return Optional.empty();
        }

        @Override
        public void putDescriptor(Descriptor descriptor, Generation generation) {}

        @Override
        public void removeDescriptor(Digest digest) {}

        @Override
        public boolean isLinked(LinkKind kind, RepositoryName repository, Digest digest) {
            return false;
        }

        @Override
        public void putLink(LinkKind kind, RepositoryName repository, Digest digest, Generation generation) {}

        @Override
        public void removeLink(LinkKind kind, RepositoryName repository, Digest digest) {}
    }
}
