package io.entrepot.registry;

import io.entrepot.storage.StorageDriver;
import java.time.Clock;

/**
 * The registry's services over one storage driver. Independent of HTTP: the handlers translate
 * requests into calls on these services and their exceptions into responses.
 */
public final class Registry {

    private final StorageDriver driver;
    private final BlobStore blobs;
    private final RepositoryLinks layers;
    private final TagStore tags;
    private final ManifestStore manifests;
    private final UploadSessions uploads;
    private final Catalog catalog;

    public Registry(StorageDriver driver, Clock clock) {
        this(driver, clock, BlobDescriptorCache.NONE);
    }

    /** Services that look blob descriptors and repository links up in {@code cache} before storage. */
    public Registry(StorageDriver driver, Clock clock, BlobDescriptorCache cache) {
        this.driver = driver;
        this.blobs = new BlobStore(driver, cache);
        this.layers = new RepositoryLinks(driver, StorageLayout::layerLink, BlobDescriptorCache.LinkKind.LAYER, cache);
        this.tags = new TagStore(driver);
        this.manifests = new ManifestStore(driver, blobs, layers, tags,
                new RepositoryLinks(driver, StorageLayout::manifestRevisionLink, BlobDescriptorCache.LinkKind.REVISION, cache));
        this.uploads = new UploadSessions(driver, blobs, layers, clock);
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
}
