package io.entrepot.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The clients of the cluster test, driving the registry API through the load balancer as a
 * container client does: retrying a request that failed on the way (a transport error or a
 * 5xx), resuming a blob download with {@code Range} and an upload from the offset the registry
 * reports. What counts as a failure is an operation that still fails after those retries, or
 * content whose digest is wrong.
 */
final class ClusterClients {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

    /** Attempts per request before the operation counts as failed; with 300 ms pauses, 15 s cover a restart. */
    private static final int ATTEMPTS = 50;
    private static final Duration PAUSE = Duration.ofMillis(300);

    /** Counters printed at the end of the test. */
    static final class Counts {
        final AtomicLong pullsAttempted = new AtomicLong();
        final AtomicLong pullsFailed = new AtomicLong();
        final AtomicLong digestsVerified = new AtomicLong();
        final AtomicLong corruptBlobs = new AtomicLong();
        final AtomicLong missingBlobs = new AtomicLong();
        final AtomicLong requestsRetried = new AtomicLong();
        final AtomicLong uploadsAttempted = new AtomicLong();
        final AtomicLong uploadsCompleted = new AtomicLong();
        final AtomicLong uploadsFailed = new AtomicLong();
        final AtomicLong uploadsSpread = new AtomicLong();
        final AtomicLong uploadsResumed = new AtomicLong();
        final AtomicLong skopeoPushesAttempted = new AtomicLong();
        final AtomicLong skopeoPushesFailed = new AtomicLong();
        final AtomicLong skopeoPullsAttempted = new AtomicLong();
        final AtomicLong skopeoPullsFailed = new AtomicLong();
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();

        void fail(String description) {
            if (failures.size() < 50) {
                failures.add(description);
            }
        }
    }

    private final HttpClient http;
    private final URI base;
    private final Counts counts;

    ClusterClients(HttpClient http, URI base, Counts counts) {
        this.http = http;
        this.base = base;
        this.counts = counts;
    }

    /** Sends a request, retrying transport errors and 5xx statuses; returns the last response, or empty when none came. */
    private <T> Optional<HttpResponse<T>> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) throws InterruptedException {
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                HttpResponse<T> response = http.send(request, handler);
                if (response.statusCode() < 500 || attempt == ATTEMPTS) {
                    return Optional.of(response);
                }
            } catch (IOException e) {
                if (attempt == ATTEMPTS) {
                    return Optional.empty();
                }
            }
            counts.requestsRetried.incrementAndGet();
            Thread.sleep(PAUSE);
        }
        return Optional.empty();
    }

    /**
     * Pulls {@code repository:tag} as a client does: the manifest, then every blob it references,
     * each checked against its digest. Returns false, after recording why, when anything failed.
     */
    boolean pull(String repository, String tag, String expectedManifestDigest) throws InterruptedException {
        counts.pullsAttempted.incrementAndGet();
        HttpRequest request = HttpRequest.newBuilder(base.resolve("v2/" + repository + "/manifests/" + tag))
                .header("Accept", OCI_MANIFEST).build();
        Optional<HttpResponse<byte[]>> response = send(request, HttpResponse.BodyHandlers.ofByteArray());
        if (response.isEmpty() || response.get().statusCode() != 200) {
            return pullFailed("manifest " + repository + ":" + tag + " status " + response.map(HttpResponse::statusCode).orElse(-1));
        }
        byte[] manifest = response.get().body();
        if (!sha256(manifest).equals(expectedManifestDigest)) {
            counts.corruptBlobs.incrementAndGet();
            return pullFailed("manifest " + repository + ":" + tag + " has digest " + sha256(manifest) + ", expected " + expectedManifestDigest);
        }
        counts.digestsVerified.incrementAndGet();

        for (JsonNode descriptor : blobDescriptors(manifest)) {
            if (!download(repository, descriptor.path("digest").asText(), descriptor.path("size").asLong())) {
                return pullFailed("blob " + descriptor.path("digest").asText() + " of " + repository + ":" + tag);
            }
        }
        return true;
    }

    private boolean pullFailed(String reason) {
        counts.pullsFailed.incrementAndGet();
        counts.fail("pull: " + reason);
        return false;
    }

    private static List<JsonNode> blobDescriptors(byte[] manifest) {
        try {
            JsonNode root = JSON.readTree(manifest);
            List<JsonNode> descriptors = new ArrayList<>();
            descriptors.add(root.path("config"));
            root.path("layers").forEach(descriptors::add);
            return descriptors;
        } catch (IOException e) {
            throw new IllegalStateException("manifest is not JSON", e);
        }
    }

    /**
     * Downloads a blob and checks its digest and size. A download cut by a dying instance is
     * resumed with {@code Range: bytes=<offset>-}, hashing on from where it stopped.
     */
    boolean download(String repository, String digest, long size) throws InterruptedException {
        MessageDigest sha256 = newSha256();
        long offset = 0;
        for (int attempt = 1; attempt <= ATTEMPTS && offset < size || attempt == 1; attempt++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("v2/" + repository + "/blobs/" + digest));
            if (offset > 0) {
                request.header("Range", "bytes=" + offset + "-");
            }
            try {
                HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
                int expectedStatus = offset > 0 ? 206 : 200;
                if (response.statusCode() == 404) {
                    response.body().close();
                    counts.missingBlobs.incrementAndGet();
                    counts.fail("blob " + digest + " not found in " + repository);
                    return false;
                }
                if (response.statusCode() != expectedStatus) {
                    response.body().close();
                    throw new IOException("status " + response.statusCode());
                }
                try (InputStream body = response.body()) {
                    byte[] buffer = new byte[64 * 1024];
                    for (int read; (read = body.read(buffer)) >= 0; ) {
                        sha256.update(buffer, 0, read);
                        offset += read;
                    }
                }
            } catch (IOException e) {
                if (offset >= size) {
                    break;
                }
                counts.requestsRetried.incrementAndGet();
                Thread.sleep(PAUSE);
            }
        }
        String actual = "sha256:" + HexFormat.of().formatHex(sha256.digest());
        if (offset < size) {
            counts.fail("blob " + digest + " download stopped at " + offset + " of " + size + " bytes after " + ATTEMPTS + " attempts");
            return false;
        }
        if (offset != size || !actual.equals(digest)) {
            counts.corruptBlobs.incrementAndGet();
            counts.fail("blob " + digest + " downloaded as " + offset + " bytes hashing to " + actual + ", expected " + size + " bytes");
            return false;
        }
        counts.digestsVerified.incrementAndGet();
        return true;
    }

    /**
     * Uploads {@code size} random bytes in chunks of {@code chunkSize} with POST, PATCH… and PUT,
     * recording which instance served each request ({@code X-Upstream}, set by the test's nginx).
     * A chunk that fails is resent from the offset that {@code GET} on the upload reports.
     */
    boolean chunkedUpload(String repository, int size, int chunkSize, long seed) throws InterruptedException {
        counts.uploadsAttempted.incrementAndGet();
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        String digest = sha256(data);
        Set<String> upstreams = new TreeSet<>();
        boolean resumed = false;

        Optional<HttpResponse<Void>> started = send(HttpRequest.newBuilder(base.resolve("v2/" + repository + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        if (started.isEmpty() || started.get().statusCode() != 202) {
            return uploadFailed("POST status " + started.map(HttpResponse::statusCode).orElse(-1));
        }
        recordUpstream(started.get(), upstreams);
        String location = started.get().headers().firstValue("Location").orElseThrow();

        long offset = 0;
        int failuresInARow = 0;
        while (offset < size) {
            int length = (int) Math.min(chunkSize, size - offset);
            HttpRequest patch = HttpRequest.newBuilder(base.resolve(location))
                    .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(data, (int) offset, length))
                    .header("Content-Type", "application/octet-stream")
                    .header("Content-Range", offset + "-" + (offset + length - 1))
                    .build();
            try {
                HttpResponse<Void> response = http.send(patch, HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 202) {
                    recordUpstream(response, upstreams);
                    location = response.headers().firstValue("Location").orElse(location);
                    offset += length;
                    failuresInARow = 0;
                    continue;
                }
            } catch (IOException e) {
                // The instance died mid-request: ask any instance how much was stored.
            }
            counts.requestsRetried.incrementAndGet();
            resumed = true;
            if (++failuresInARow > ATTEMPTS) {
                return uploadFailed("PATCH at offset " + offset + " kept failing");
            }
            Thread.sleep(PAUSE);
            Optional<Long> stored = storedBytes(location);
            if (stored.isEmpty()) {
                return uploadFailed("upload " + location + " lost");
            }
            offset = stored.get();
        }

        String separator = location.contains("?") ? "&" : "?";
        Optional<HttpResponse<Void>> completed = send(HttpRequest.newBuilder(base.resolve(location + separator + "digest=" + digest))
                .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        if (completed.isEmpty() || completed.get().statusCode() != 201) {
            // A PUT whose response was lost may have completed: the blob then exists.
            if (!download(repository, digest, size)) {
                return uploadFailed("PUT status " + completed.map(HttpResponse::statusCode).orElse(-1));
            }
        } else {
            recordUpstream(completed.get(), upstreams);
            if (!download(repository, digest, size)) {
                return uploadFailed("completed blob " + digest + " did not verify");
            }
        }
        counts.uploadsCompleted.incrementAndGet();
        if (upstreams.size() > 1) {
            counts.uploadsSpread.incrementAndGet();
        }
        if (resumed) {
            counts.uploadsResumed.incrementAndGet();
        }
        return true;
    }

    /** Returns the bytes stored so far for an upload, from the {@code Range} of {@code GET <location>}, or empty when it is gone. */
    private Optional<Long> storedBytes(String location) throws InterruptedException {
        Optional<HttpResponse<Void>> status = send(HttpRequest.newBuilder(base.resolve(location)).GET().build(),
                HttpResponse.BodyHandlers.discarding());
        if (status.isEmpty() || status.get().statusCode() != 204) {
            return Optional.empty();
        }
        Optional<String> range = status.get().headers().firstValue("Range");
        // "0-0" is what distribution, and so Entrepot, reports for an empty upload, and it is also
        // the range of one stored byte. Read it as empty. One stored byte would need a connection
        // cut right after the first byte; the resend at 0 then gets 416 and the upload counts as failed.
        if (range.isEmpty() || range.get().equals("0-0")) {
            return Optional.of(0L);
        }
        return Optional.of(Long.parseLong(range.get().substring(range.get().indexOf('-') + 1)) + 1);
    }

    private boolean uploadFailed(String reason) {
        counts.uploadsFailed.incrementAndGet();
        counts.fail("upload: " + reason);
        return false;
    }

    /** Records the instance that served a response; after an nginx retry the header lists several, the last one served. */
    private static void recordUpstream(HttpResponse<?> response, Set<String> upstreams) {
        response.headers().firstValue("X-Upstream").ifPresent(value -> {
            String[] tried = value.split(",");
            upstreams.add(tried[tried.length - 1].trim());
        });
    }

    static String sha256(byte[] content) {
        return "sha256:" + HexFormat.of().formatHex(newSha256().digest(content));
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
