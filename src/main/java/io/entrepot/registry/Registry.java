package io.entrepot.registry;

import io.entrepot.storage.StorageDriver;
import java.time.Clock;
import java.time.Duration;

/**
 * The registry's services over one storage driver. Independent of HTTP: the handlers translate
 * requests into calls on these services and their exceptions into responses.
 */
public final class Registry {

    /**
     * The default longest time a manifest push may take between recording its references and
     * linking the manifest. An online collector's grace period must be longer than this plus the
     * clock difference between instances.
     */
    public static final Duration DEFAULT_REFERENCE_WINDOW = Duration.ofSeconds(30);

    private final StorageDriver driver;
    private final BlobStore blobs;
    private final RepositoryLinks layers;
    private final TagStore tags;
    private final ManifestStore manifests;
    private final UploadSessions uploads;
    private final Catalog catalog;
    private final BlobReferences references;

    public Registry(StorageDriver driver, Clock clock) {
        this(driver, clock, BlobDescriptorCache.NONE);
    }

    /** Builds the services; see {@link #DEFAULT_REFERENCE_WINDOW} for {@code referenceWindow}. */
    public Registry(StorageDriver driver, Clock clock, Duration referenceWindow) {
        this(driver, clock, BlobDescriptorCache.NONE, referenceWindow);
    }

    /** Services that look blob descriptors and repository links up in {@code cache} before storage. */
    public Registry(StorageDriver driver, Clock clock, BlobDescriptorCache cache) {
        this(driver, clock, cache, DEFAULT_REFERENCE_WINDOW);
    }

    /** Builds the services over {@code cache}; see {@link #DEFAULT_REFERENCE_WINDOW} for {@code referenceWindow}. */
    public Registry(StorageDriver driver, Clock clock, BlobDescriptorCache cache, Duration referenceWindow) {
        this.driver = driver;
        this.blobs = new BlobStore(driver, cache);
        this.layers = new RepositoryLinks(driver, StorageLayout::layerLink, BlobDescriptorCache.LinkKind.LAYER, cache);
        this.tags = new TagStore(driver);
        this.references = new BlobReferences(driver, clock);
        this.manifests = new ManifestStore(driver, blobs, layers, tags,
                new RepositoryLinks(driver, StorageLayout::manifestRevisionLink, BlobDescriptorCache.LinkKind.REVISION, cache),
                references, clock, referenceWindow);
        this.uploads = new UploadSessions(driver, blobs, layers, references, clock);
        this.catalog = new Catalog(driver);
    }

    public StorageDriver driver() {
        return driver;
    }

    public BlobStore blobs() {
        return blobs;
    }

    /** Links from repositories to the blobs (layers and configs) they contain. */
    public RepositoryLinks layers() {
        return layers;
    }

    public TagStore tags() {
        return tags;
    }

    public ManifestStore manifests() {
        return manifests;
    }

    public UploadSessions uploads() {
        return uploads;
    }

    public Catalog catalog() {
        return catalog;
    }

    /** Returns the reference and sweep marks through which pushes and online garbage collection coordinate. */
    public BlobReferences references() {
        return references;
    }
}
