package io.entrepot.registry;

/**
 * Maps registry objects to storage paths, using the layout of CNCF distribution so that a
 * directory or bucket written by {@code registry:2} is served as it is, and the reverse.
 *
 * <pre>
 * /docker/registry/v2/
 * ├── blobs/sha256/ab/abcd…/
 * │   ├── data                                         blob and manifest bytes, by digest
 * │   ├── referencedat                                 (Entrepot's own) last time a push named the blob
 * │   └── sweeping                                     (Entrepot's own) a collector is about to delete it
 * └── repositories/&lt;name&gt;/
 *     ├── _layers/sha256/abcd…/link                    blob is in this repository
 *     ├── _manifests/
 *     │   ├── revisions/sha256/abcd…/link              manifest is in this repository
 *     │   └── tags/&lt;tag&gt;/
 *     │       ├── current/link                         digest the tag points at now
 *     │       └── index/sha256/abcd…/link              every digest the tag pointed at
 *     ├── _referrers/sha256/&lt;subject&gt;/sha256/&lt;referrer&gt;/link   (Entrepot's own: referrers index)
 *     └── _uploads/&lt;uuid&gt;/
 *         ├── data                                     bytes received so far
 *         └── startedat                                RFC 3339 start time
 * </pre>
 *
 * Every {@code link} file contains a digest string such as {@code sha256:abcd…}.
 */
public final class StorageLayout {

    public static final String ROOT = "/docker/registry/v2";
    public static final String REPOSITORIES = ROOT + "/repositories";
    public static final String BLOBS = ROOT + "/blobs";

    private StorageLayout() {}

    public static String blobDirectory(Digest digest) {
        return BLOBS + "/" + digest.algorithm().id() + "/" + digest.hex().substring(0, 2) + "/" + digest.hex();
    }

    public static String blobData(Digest digest) {
        return blobDirectory(digest) + "/data";
    }

    /** The time a manifest push or upload last named the blob, which online collection respects. */
    public static String blobReferencedAt(Digest digest) {
        return blobDirectory(digest) + "/referencedat";
    }

    /** The mark a collector writes before it deletes the blob, so that a push naming it waits. */
    public static String blobSweepMark(Digest digest) {
        return blobDirectory(digest) + "/sweeping";
    }

    public static String repository(RepositoryName name) {
        return REPOSITORIES + "/" + name;
    }

    public static String layerLink(RepositoryName name, Digest digest) {
        return repository(name) + "/_layers/" + digest.algorithm().id() + "/" + digest.hex() + "/link";
    }

    public static String manifestRevisions(RepositoryName name) {
        return repository(name) + "/_manifests/revisions";
    }

    public static String manifestRevisionLink(RepositoryName name, Digest digest) {
        return manifestRevisions(name) + "/" + digest.algorithm().id() + "/" + digest.hex() + "/link";
    }

    public static String tags(RepositoryName name) {
        return repository(name) + "/_manifests/tags";
    }

    public static String tag(RepositoryName name, Tag tag) {
        return tags(name) + "/" + tag;
    }

    public static String tagCurrentLink(RepositoryName name, Tag tag) {
        return tag(name, tag) + "/current/link";
    }

    public static String tagIndexLink(RepositoryName name, Tag tag, Digest digest) {
        return tag(name, tag) + "/index/" + digest.algorithm().id() + "/" + digest.hex() + "/link";
    }

    public static String referrers(RepositoryName name, Digest subject) {
        return repository(name) + "/_referrers/" + subject.algorithm().id() + "/" + subject.hex();
    }

    public static String referrerLink(RepositoryName name, Digest subject, Digest referrer) {
        return referrers(name, subject) + "/" + referrer.algorithm().id() + "/" + referrer.hex() + "/link";
    }

    public static String uploads(RepositoryName name) {
        return repository(name) + "/_uploads";
    }

    public static String upload(RepositoryName name, UploadId id) {
        return uploads(name) + "/" + id;
    }

    public static String uploadData(RepositoryName name, UploadId id) {
        return upload(name, id) + "/data";
    }

    public static String uploadStartedAt(RepositoryName name, UploadId id) {
        return upload(name, id) + "/startedat";
    }
}
