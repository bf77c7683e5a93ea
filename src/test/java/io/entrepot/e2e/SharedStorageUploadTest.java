package io.entrepot.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs two Entrepot processes on one storage root, as two instances behind a load balancer, and
 * sends the requests of one chunked upload alternately to each. Upload state lives in storage,
 * so either instance must accept the next chunk and report the bytes the other one stored.
 */
class SharedStorageUploadTest {

    private static final String UPLOADS = "/v2/e2e/chunked/blobs/uploads/";

    @TempDir
    Path workDir;

    private final HttpClient http = HttpClient.newHttpClient();
    private ServerProcess instanceA;
    private ServerProcess instanceB;

    @BeforeEach
    void startInstances() {
        Path root = workDir.resolve("storage");
        instanceA = Registries.startEntrepotProcess("entrepot-a", root, workDir);
        instanceB = Registries.startEntrepotProcess("entrepot-b", root, workDir);
    }

    @AfterEach
    void stopInstances() {
        if (instanceA != null) {
            instanceA.close();
        }
        if (instanceB != null) {
            instanceB.close();
        }
    }

    @Test
    void chunkedUpload_alternatingInstances_completes() throws Exception {
        byte[] blob = randomBytes(1024 * 1024 + 300 * 1024, 1);
        byte[] chunk1 = Arrays.copyOfRange(blob, 0, 400_000);
        byte[] chunk2 = Arrays.copyOfRange(blob, 400_000, 900_001);
        byte[] chunk3 = Arrays.copyOfRange(blob, 900_001, blob.length);
        String digest = OciLayout.sha256(blob);

        // POST on A, then each PATCH goes to the other instance than the previous request.
        HttpResponse<String> started = send(HttpRequest.newBuilder(instanceA.baseUri().resolve(UPLOADS))
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(started.statusCode()).as("POST %s: %s", UPLOADS, started.body()).isEqualTo(202);
        String location = uploadLocation(started);

        location = patch(instanceB, location, chunk1, 0);
        location = patch(instanceA, location, chunk2, chunk1.length);

        // The upload status on B reports what A stored: the first two chunks.
        HttpResponse<String> status = send(HttpRequest.newBuilder(onInstance(instanceB, location)).GET());
        assertThat(status.statusCode()).as("GET upload status on B: %s", status.body()).isEqualTo(204);
        assertThat(status.headers().firstValue("Range"))
                .hasValue("0-" + (chunk1.length + chunk2.length - 1));
        assertThat(status.headers().firstValue("Docker-Upload-UUID")).isPresent();

        location = patch(instanceB, location, chunk3, chunk1.length + chunk2.length);

        HttpResponse<String> completed = send(HttpRequest.newBuilder(withDigest(onInstance(instanceA, location), digest))
                .PUT(HttpRequest.BodyPublishers.noBody()));
        assertThat(completed.statusCode()).as("PUT on A: %s", completed.body()).isEqualTo(201);
        assertThat(completed.headers().firstValue("Docker-Content-Digest")).hasValue(digest);

        HttpResponse<byte[]> fetched = http.send(
                HttpRequest.newBuilder(instanceB.baseUri().resolve("/v2/e2e/chunked/blobs/" + digest)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(fetched.statusCode()).isEqualTo(200);
        assertThat(fetched.headers().firstValue("Docker-Content-Digest")).hasValue(digest);
        assertThat(OciLayout.sha256(fetched.body())).isEqualTo(digest);
        assertThat(fetched.body()).hasSize(blob.length);
    }

    @Test
    void chunkAtWrongOffset_rejectedOnOtherInstance() throws Exception {
        byte[] blob = randomBytes(200_000, 2);
        byte[] chunk1 = Arrays.copyOfRange(blob, 0, 100_000);
        byte[] chunk2 = Arrays.copyOfRange(blob, 100_000, blob.length);

        String location = uploadLocation(send(HttpRequest.newBuilder(instanceA.baseUri().resolve(UPLOADS))
                .POST(HttpRequest.BodyPublishers.noBody())));
        location = patch(instanceA, location, chunk1, 0);

        // B must know from storage that the next byte is 100000, not 100001.
        HttpResponse<String> gap = send(HttpRequest.newBuilder(onInstance(instanceB, location))
                .header("Content-Type", "application/octet-stream")
                .header("Content-Range", "100001-" + (100_000 + chunk2.length))
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(chunk2)));
        assertThat(gap.statusCode()).as("PATCH with a gap: %s", gap.body()).isEqualTo(416);

        HttpResponse<String> status = send(HttpRequest.newBuilder(onInstance(instanceA, location)).GET());
        assertThat(status.statusCode()).isEqualTo(204);
        assertThat(status.headers().firstValue("Range")).hasValue("0-99999");
    }

    @Test
    void completeWithWrongDigest_rejectedAndBlobAbsent() throws Exception {
        byte[] blob = randomBytes(50_000, 3);
        String wrongDigest = OciLayout.sha256(randomBytes(50_000, 4));

        String location = uploadLocation(send(HttpRequest.newBuilder(instanceA.baseUri().resolve(UPLOADS))
                .POST(HttpRequest.BodyPublishers.noBody())));
        location = patch(instanceB, location, blob, 0);
        HttpResponse<String> completed = send(HttpRequest.newBuilder(withDigest(onInstance(instanceA, location), wrongDigest))
                .PUT(HttpRequest.BodyPublishers.noBody()));

        assertThat(completed.statusCode()).as("PUT with a wrong digest: %s", completed.body()).isEqualTo(400);
        assertThat(completed.body()).contains("DIGEST_INVALID");
        for (String digest : new String[] {wrongDigest, OciLayout.sha256(blob)}) {
            HttpResponse<String> head = send(HttpRequest.newBuilder(
                    instanceB.baseUri().resolve("/v2/e2e/chunked/blobs/" + digest)).HEAD());
            assertThat(head.statusCode()).as("HEAD blob %s", digest).isEqualTo(404);
        }
    }

    /** Sends one chunk with PATCH to {@code instance} and returns the next upload location. */
    private String patch(ServerProcess instance, String location, byte[] chunk, long offset) throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(onInstance(instance, location))
                .header("Content-Type", "application/octet-stream")
                .header("Content-Range", offset + "-" + (offset + chunk.length - 1))
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(chunk)));

        assertThat(response.statusCode()).as("PATCH at offset %d: %s", offset, response.body()).isEqualTo(202);
        assertThat(response.headers().firstValue("Range")).hasValue("0-" + (offset + chunk.length - 1));
        return uploadLocation(response);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Returns the Location header, which may be absolute or relative, as a path with query. */
    private static String uploadLocation(HttpResponse<?> response) {
        String location = response.headers().firstValue("Location")
                .orElseThrow(() -> new AssertionError("no Location header in " + response));
        URI uri = response.uri().resolve(location);
        return uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    }

    /** Returns the upload location on {@code instance}, whichever instance issued it. */
    private static URI onInstance(ServerProcess instance, String location) {
        return instance.baseUri().resolve(location);
    }

    private static URI withDigest(URI location, String digest) {
        String separator = location.getRawQuery() == null ? "?" : "&";
        return URI.create(location + separator + "digest=" + digest);
    }

    private static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
