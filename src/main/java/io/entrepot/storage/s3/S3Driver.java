package io.entrepot.storage.s3;

import io.entrepot.storage.FileInfo;
import io.entrepot.storage.FileWriter;
import io.entrepot.storage.InvalidOffsetException;
import io.entrepot.storage.PathNotFoundException;
import io.entrepot.storage.StorageDriver;
import io.entrepot.storage.WalkVisitor;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Stores files as objects in one S3 bucket, under an optional key prefix, so that several
 * registry processes can share the storage. Storage path {@code /a/b} is the key
 * {@code <rootdirectory>/a/b}; directories are not stored, and one exists while some key starts
 * with its prefix.
 *
 * <p>Files written with {@link #writer} are multipart uploads while they are open or closed
 * without commit; {@link S3Writer} explains how such a file is found and continued. Every
 * method that looks up a file also looks for such an upload when no object exists, so a file
 * that another process is still writing is visible with the bytes stored so far.
 * NOTE: {@link #list} and {@link #walk} show objects only, so such a file appears in them once it
 * is committed or read.
 *
 * <p>Throttling and 5xx responses are retried by the SDK with jittered backoff; {@link #retryCount}
 * counts those retries. A missing bucket or rejected credentials are reported by
 * {@link #checkAccess} with the bucket and the access key id named.
 */
public final class S3Driver implements StorageDriver {

    /** DeleteObjects accepts at most this many keys per request. */
    private static final int DELETE_BATCH = 1000;

    private final S3DriverOptions options;
    private final SdkHttpClient httpClient;
    private final S3Client s3;
    private final S3Presigner presigner;
    private final LongAdder retries = new LongAdder();
    private final S3Uploads uploads;
    private final S3Copier copier;
    private final S3BufferBudget bufferBudget;
    // Part uploads and range copies each block a thread for a whole request. Virtual threads make
    // that cheap, and the writers and the copier bound how many run at once.
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicBoolean closed = new AtomicBoolean();

    public S3Driver(S3DriverOptions options) {
        this.options = options;
        this.httpClient = S3Clients.httpClient(options);
        this.s3 = S3Clients.client(options, httpClient, retries);
        this.presigner = S3Clients.presigner(options);
        this.uploads = new S3Uploads(s3, options);
        this.copier = new S3Copier(s3, options, uploads, executor);
        this.bufferBudget = new S3BufferBudget(options.uploadBufferMemory(), S3PartUploader.bufferSize(options.chunkSize()));
    }

    @Override
    public String name() {
        return "s3";
    }

    /** Returns the settings the driver was built with. */
    public S3DriverOptions options() {
        return options;
    }

    /** Returns how many requests the SDK has retried since the driver was built. */
    public long retryCount() {
        return retries.sum();
    }

    /** Returns the bytes of multipart part buffers that open writers hold now. */
    public long partBufferBytes() {
        return bufferBudget.bytesInUse();
    }

    /**
     * Lists at most one key of the bucket to check that it exists and the credentials may read
     * it, as start-up does.
     *
     * @throws IOException naming the bucket when it does not exist, or the access key id when the
     *     server rejects the credentials
     */
    public void checkAccess() throws IOException {
        try {
            s3.listObjectsV2(b -> b.bucket(options.bucket()).prefix(prefixOf("/")).maxKeys(1));
        } catch (SdkException e) {
            throw S3Errors.translate(e, this, "/");
        }
    }

    // ---- keys ----

    String key(String path) {
        String relative = path.substring(1);
        return options.rootDirectory().isEmpty() ? relative : options.rootDirectory() + "/" + relative;
    }

    /** Returns the prefix that every key below the directory {@code path} starts with. */
    String prefixOf(String path) {
        if (path.equals("/")) {
            return options.rootDirectory().isEmpty() ? "" : options.rootDirectory() + "/";
        }
        return key(path) + "/";
    }

    String pathOf(String key) {
        String root = prefixOf("/");
        return "/" + key.substring(root.length());
    }

    S3Client client() {
        return s3;
    }

    ExecutorService executor() {
        return executor;
    }

    S3BufferBudget bufferBudget() {
        return bufferBudget;
    }

    // ---- small files ----

    @Override
    public byte[] getContent(String path) throws IOException {
        try (InputStream in = reader(path, 0)) {
            return in.readAllBytes();
        }
    }

    @Override
    public void putContent(String path, byte[] content) throws IOException {
        try {
            s3.putObject(uploads.putRequest(key(path)), RequestBody.fromBytes(content));
        } catch (SdkException e) {
            throw S3Errors.translate(e, this, path);
        }
    }

    // ---- streams ----

    @Override
    public InputStream reader(String path, long offset) throws IOException {
        if (offset < 0) {
            throw new InvalidOffsetException(name(), path, offset);
        }
        String key = key(path);
        try {
            try {
                return open(key, offset);
            } catch (S3Exception e) {
                if (!S3Errors.isNotFound(e)) {
                    throw e;
                }
                // A file closed without commit is still a multipart upload: complete it so that
                // its bytes can be read like any object.
                if (!uploads.completePending(key)) {
                    throw new PathNotFoundException(name(), path);
                }
                return open(key, offset);
            }
        } catch (InvalidRangeException e) {
            return readAtEnd(path, key, offset);
        } catch (SdkException e) {
            throw S3Errors.translate(e, this, path);
        }
    }

    private InputStream open(String key, long offset) {
        ResponseInputStream<GetObjectResponse> in;
        try {
            in = s3.getObject(b -> {
                b.bucket(options.bucket()).key(key);
                if (offset > 0) {
                    b.range("bytes=" + offset + "-");
                }
            });
        } catch (S3Exception e) {
            if (e.statusCode() == 416) {
                throw new InvalidRangeException(e);
            }
            throw e;
        }
        return in;
    }

    /** S3 rejects a range that starts at or after the end with 416: empty at the end, invalid beyond. */
    private InputStream readAtEnd(String path, String key, long offset) throws IOException {
        long size = stat(path).size();
        if (offset == size) {
            return InputStream.nullInputStream();
        }
        throw new InvalidOffsetException(name(), path, offset);
    }

    private static final class InvalidRangeException extends RuntimeException {
        InvalidRangeException(S3Exception cause) {
            super(cause);
        }
    }

    @Override
    public FileWriter writer(String path, boolean append) throws IOException {
        try {
            return S3Writer.open(this, uploads, copier, path, append);
        } catch (SdkException e) {
            throw S3Errors.translate(e, this, path);
        }
    }

    // ---- metadata ----

    @Override
    public FileInfo stat(String path) throws IOException {
        String key = key(path);
        try {
            Optional<HeadObjectResponse> head = head(key);
            if (head.isPresent()) {
                return new FileInfo(path, head.get().contentLength(), head.get().lastModified(), false);
            }
            ListObjectsV2Response below = s3.listObjectsV2(b -> b.bucket(options.bucket()).prefix(key + "/").maxKeys(1));
            if (!below.contents().isEmpty()) {
                return new FileInfo(path, 0, below.contents().get(0).lastModified(), true);
            }
            Optional<S3Uploads.Pending> pending = uploads.pending(key);
            if (pending.isPresent()) {
                return new FileInfo(path, pending.get().size(), pending.get().modifiedAt(), false);
            }
        } catch (SdkException e) {
            throw S3Errors.translate(e, this, path);
        }
        throw new PathNotFoundException(name(), path);
    }

    Optional<HeadObjectResponse> head(String key) {
        try {
            return Optional.of(s3.headObject(b -> b.bucket(options.bucket()).key(key)));
        } catch (S3Exception e) {
            if (S3Errors.isNotFound(e)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public List<String> list(String path) throws IOException {
        List<FileInfo> children = children(path);
        if (children.isEmpty() && !path.equals("/")) {
            throw new PathNotFoundException(name(), path);
        }
        return children.stream().map(FileInfo::path).toList();
    }

    /**
     * Returns the files and directories directly below {@code path}, sorted by path, with the
     * sizes and times of the files taken from the listing. Pages through ListObjectsV2, which
     * returns at most 1,000 keys per request.
     */
    private List<FileInfo> children(String path) throws IOException {
        String prefix = prefixOf(path);
        TreeMap<String, FileInfo> children = new TreeMap<>();
        try {
            var pages = s3.listObjectsV2Paginator(b -> b.bucket(options.bucket()).prefix(prefix).delimiter("/"));
            for (ListObjectsV2Response page : pages) {
                for (S3Object object : page.contents()) {
                    String child = pathOf(object.key());
                    children.put(child, new FileInfo(child, object.size(), object.lastModified(), false));
                }
                for (CommonPrefix common : page.commonPrefixes()) {
                    String child = pathOf(common.prefix().substring(0, common.prefix().length() - 1));
                    // S3 keeps no directory times; walk reports the epoch for them.
                    children.put(child, new FileInfo(child, 0, Instant.EPOCH, true));
                }
            }
        } catch (SdkException e) {
            throw S3Errors.translate(e, this, path);
        }
        // A key ending in "/" or containing "//" was not written by Entrepot and maps to no valid path.
        children.keySet().removeIf(child -> child.endsWith("/") || child.contains("//"));
        return new ArrayList<>(children.values());
    }

    // ---- changes ----

    @Override
    public void move(String source, String destination) throws IOException {
        String sourceKey = key(source);
        try {
            Optional<HeadObjectResponse> head = head(sourceKey);
            if (head.isEmpty()) {
                if (!uploads.completePending(sourceKey)) {
                    throw new PathNotFoundException(name(), source);
                }
                head = head(sourceKey);
            }
            if (head.isEmpty()) {
                throw new PathNotFoundException(name(), source);
            }
            copier.copy(sourceKey, key(destination), head.get().contentLength());
            s3.deleteObject(b -> b.bucket(options.bucket()).key(sourceKey));
        } catch (SdkException e) {
            throw S3Errors.translate(e, this, source);
        }
    }

    @Override
    public void delete(String path) throws IOException {
        String key = key(path);
        List<ObjectIdentifier> batch = new ArrayList<>();
        int found = 0;
        try {
            // Listing by the key itself also finds keys that merely share its start, such as
            // "a/bc" for "a/b"; only the key and the keys below it are deleted.
            var pages = s3.listObjectsV2Paginator(b -> b.bucket(options.bucket()).prefix(key));
            for (ListObjectsV2Response page : pages) {
                for (S3Object object : page.contents()) {
                    if (!object.key().equals(key) && !object.key().startsWith(key + "/")) {
                        continue;
                    }
                    batch.add(ObjectIdentifier.builder().key(object.key()).build());
                    found++;
                    if (batch.size() == DELETE_BATCH) {
                        deleteBatch(batch);
                    }
                }
            }
            deleteBatch(batch);
            found += uploads.abortAll(key);
        } catch (SdkException e) {
            throw S3Errors.translate(e, this, path);
        }
        if (found == 0) {
            throw new PathNotFoundException(name(), path);
        }
    }

    private void deleteBatch(List<ObjectIdentifier> batch) throws IOException {
        if (batch.isEmpty()) {
            return;
        }
        var response = s3.deleteObjects(b -> b.bucket(options.bucket()).delete(d -> d.objects(batch).quiet(true)));
        if (!response.errors().isEmpty()) {
            var error = response.errors().get(0);
            throw new IOException(name() + ": failed to delete " + response.errors().size() + " of " + batch.size()
                    + " keys, first " + error.key() + ": " + error.code() + " " + error.message());
        }
        batch.clear();
    }

    @Override
    public Optional<String> redirectUrl(String path, String method) throws IOException {
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return Optional.empty();
        }
        String key = key(path);
        try {
            if (method.equals("HEAD")) {
                return Optional.of(presigner.presignHeadObject(b -> b.signatureDuration(options.redirectExpiry())
                        .headObjectRequest(r -> r.bucket(options.bucket()).key(key))).url().toString());
            }
            return Optional.of(presigner.presignGetObject(b -> b.signatureDuration(options.redirectExpiry())
                    .getObjectRequest(r -> r.bucket(options.bucket()).key(key))).url().toString());
        } catch (SdkException e) {
            throw S3Errors.translate(e, this, path);
        }
    }

    @Override
    public void walk(String path, WalkVisitor visitor) throws IOException {
        if (!path.equals("/")) {
            FileInfo info = stat(path);
            if (!info.directory()) {
                return;
            }
        }
        walkDirectory(path, visitor);
    }

    private boolean walkDirectory(String path, WalkVisitor visitor) throws IOException {
        for (FileInfo child : children(path)) {
            WalkVisitor.Decision decision = visitor.visit(child);
            if (decision == WalkVisitor.Decision.STOP) {
                return false;
            }
            if (child.directory() && decision != WalkVisitor.Decision.SKIP_DIRECTORY && !walkDirectory(child.path(), visitor)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Stops the driver's background requests and closes the SDK client with its connection pool;
     * closing twice has no effect.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        executor.shutdownNow();
        presigner.close();
        s3.close();
        httpClient.close();
    }

    /** Returns whether {@link #close} has run. */
    boolean isClosed() {
        return closed.get();
    }

}
