package io.entrepot.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.entrepot.storage.FileWriter;
import io.entrepot.storage.StorageDriver;
import io.entrepot.storage.StorageDriverContractTest;
import io.entrepot.testing.S3ProxyServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The storage driver contract, and what only the S3 driver does, against S3Proxy on loopback. */
class S3DriverContractTest extends StorageDriverContractTest {

    private static final int MIB = 1024 * 1024;

    S3ProxyServer server;
    String bucket;
    final List<S3Driver> drivers = new ArrayList<>();


    @AfterEach
    void closeDrivers() {
        drivers.forEach(S3Driver::close);
    }

    @Override
    protected StorageDriver newDriver() throws Exception {
        // Runs from the contract's @BeforeEach, before any of this class's.
        server = S3ProxyServer.shared();
        bucket = server.newBucket();
        return newS3Driver(options(server.endpoint(), bucket, "registry-root"));
    }

    S3Driver newS3Driver(S3DriverOptions options) {
        S3Driver driver = new S3Driver(options);
        drivers.add(driver);
        return driver;
    }

    /** Options for a bucket on the test server: 5 MiB parts, 4 in flight, and copies split into parts above 6 MiB. */
    static S3DriverOptions options(URI endpoint, String bucket, String rootDirectory) {
        return options(endpoint, bucket, rootDirectory, 4, 4);
    }

    /** Options as {@link #options(URI, String, String)} with {@code uploadConcurrency} parts in flight and {@code maxAttempts}. */
    static S3DriverOptions options(URI endpoint, String bucket, String rootDirectory, int uploadConcurrency, int maxAttempts) {
        return options(endpoint, bucket, rootDirectory, uploadConcurrency, maxAttempts, 64L * MIB);
    }

    /** Options as {@link #options(URI, String, String, int, int)} with {@code uploadBufferMemory} shared by all writers. */
    static S3DriverOptions options(URI endpoint, String bucket, String rootDirectory, int uploadConcurrency, int maxAttempts,
            long uploadBufferMemory) {
        return new S3DriverOptions(bucket, S3ProxyServer.REGION, endpoint, S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY,
                null, true, rootDirectory, false, null, false, 5 * MIB, uploadConcurrency, uploadBufferMemory, 5 * MIB, 4, 6 * MIB,
                null, null,
                "entrepot-test", false, 16, Duration.ofSeconds(5), Duration.ofSeconds(30), maxAttempts, Duration.ofMinutes(20));
    }

    static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static void writeInChunks(FileWriter writer, byte[] content, int from, int to, int chunk) throws IOException {
        for (int offset = from; offset < to; offset += chunk) {
            writer.write(content, offset, Math.min(chunk, to - offset));
        }
    }

    // ---- multipart uploads ----

    @Test
    void writer_moreThanTwoParts_readsBackIdentical() throws IOException {
        byte[] content = randomBytes(12 * MIB + 12_345, 1);

        try (FileWriter writer = driver.writer("/up/data", false)) {
            writeInChunks(writer, content, 0, content.length, 777_777);
            writer.commit();
        }

        assertThat(driver.stat("/up/data").size()).isEqualTo(content.length);
        assertThat(driver.getContent("/up/data")).isEqualTo(content);
        assertThat(server.multipartUploads(bucket)).isEmpty();
    }

    @Test
    void writer_closedWithoutCommit_statCountsStoredParts() throws IOException {
        byte[] content = randomBytes(6 * MIB + 100, 2);

        try (FileWriter writer = driver.writer("/up/data", false)) {
            writer.write(content);
        }

        assertThat(server.multipartUploads(bucket)).containsExactly("registry-root/up/data");
        assertThat(driver.stat("/up/data").size()).isEqualTo(content.length);
    }

    @Test
    void writer_reopenedBySecondDriver_continuesUploadAcrossSmallLastPart() throws Exception {
        byte[] content = randomBytes(17 * MIB + 3, 3);
        S3Driver second = newS3Driver(options(server.endpoint(), bucket, "registry-root"));

        // The first driver leaves a small last part (1 MiB + 1), which no part may follow.
        try (FileWriter writer = driver.writer("/up/data", false)) {
            writer.write(content, 0, 6 * MIB + 1);
        }
        try (FileWriter writer = second.writer("/up/data", true)) {
            assertThat(writer.size()).isEqualTo(6 * MIB + 1);
            writeInChunks(writer, content, 6 * MIB + 1, 11 * MIB, 65_521);
        }
        assertThat(second.stat("/up/data").size()).isEqualTo(11 * MIB);
        try (FileWriter writer = driver.writer("/up/data", true)) {
            writer.write(content, 11 * MIB, content.length - 11 * MIB);
            writer.commit();
        }

        assertThat(second.getContent("/up/data")).isEqualTo(content);
        assertThat(server.multipartUploads(bucket)).isEmpty();
    }

    @Test
    void writer_reopenAfterFullPart_appendsWithoutCopy() throws IOException {
        byte[] content = randomBytes(10 * MIB + 10, 4);

        try (FileWriter writer = driver.writer("/up/data", false)) {
            writer.write(content, 0, 5 * MIB);
        }
        try (FileWriter writer = driver.writer("/up/data", true)) {
            assertThat(writer.size()).isEqualTo(5 * MIB);
            writer.write(content, 5 * MIB, content.length - 5 * MIB);
            writer.commit();
        }

        assertThat(driver.getContent("/up/data")).isEqualTo(content);
    }

    @Test
    void delete_directoryWithOpenUpload_abortsIt() throws IOException {
        try (FileWriter writer = driver.writer("/up/id/data", false)) {
            writer.write(randomBytes(5 * MIB + 1, 5));
        }
        driver.putContent("/up/id/startedat", bytes("now"));

        driver.delete("/up/id");

        assertThat(server.multipartUploads(bucket)).isEmpty();
        assertThatThrownBy(() -> driver.stat("/up/id/data")).isInstanceOf(io.entrepot.storage.PathNotFoundException.class);
    }

    // ---- copies, listing and batch deletes ----

    @Test
    void move_aboveCopyThreshold_copiesInParts() throws IOException {
        byte[] content = randomBytes(16 * MIB + 5, 6);
        driver.putContent("/big/source", content);

        driver.move("/big/source", "/big/destination");

        assertThat(driver.getContent("/big/destination")).isEqualTo(content);
        assertThatThrownBy(() -> driver.stat("/big/source")).isInstanceOf(io.entrepot.storage.PathNotFoundException.class);
        // A multipart object's ETag ends with the number of its parts: 16 MiB in 5 MiB ranges, the last merged.
        String etag = server.admin().headObject(b -> b.bucket(bucket).key("registry-root/big/destination")).eTag();
        assertThat(etag).endsWith("-3\"");
    }

    @Test
    void move_belowCopyThreshold_copiesWhole() throws IOException {
        driver.putContent("/small/source", bytes("small"));

        driver.move("/small/source", "/small/destination");

        assertThat(driver.getContent("/small/destination")).isEqualTo(bytes("small"));
        assertThat(server.admin().headObject(b -> b.bucket(bucket).key("registry-root/small/destination")).eTag()).doesNotContain("-");
    }

    @Test
    void listAndDelete_moreThanOneThousandKeys_pagesThroughAll() throws Exception {
        int count = 1_005;
        var executor = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<?>> puts = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String path = String.format("/many/file-%04d", i);
                puts.add(executor.submit(() -> {
                    driver.putContent(path, bytes("x"));
                    return null;
                }));
            }
            for (var put : puts) {
                put.get();
            }
        } finally {
            executor.shutdownNow();
        }

        assertThat(driver.list("/many")).hasSize(count).contains("/many/file-0000", "/many/file-1004");
        List<String> walked = new ArrayList<>();
        driver.walk("/many", info -> {
            walked.add(info.path());
            return io.entrepot.storage.WalkVisitor.Decision.CONTINUE;
        });
        assertThat(walked).hasSize(count);

        driver.delete("/many");

        assertThat(server.admin().listObjectsV2(b -> b.bucket(bucket).prefix("registry-root/many/")).keyCount()).isZero();
    }

    @Test
    void rootDirectory_keysLiveBelowIt() throws IOException {
        driver.putContent("/docker/registry/v2/blobs/x/data", bytes("blob"));

        assertThat(server.admin().getObjectAsBytes(b -> b.bucket(bucket).key("registry-root/docker/registry/v2/blobs/x/data"))
                .asByteArray()).isEqualTo(bytes("blob"));
    }

    // ---- redirects ----

    @Test
    void redirectUrl_presignedGet_returnsBlob() throws Exception {
        byte[] content = randomBytes(100_000, 7);
        driver.putContent("/blob/data", content);

        String url = driver.redirectUrl("/blob/data", "GET").orElseThrow();

        HttpResponse<byte[]> response = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(content);
        assertThat(url).contains("X-Amz-Signature=").contains("X-Amz-Expires=1200");
    }

    @Test
    void redirectUrl_tamperedSignature_rejectedByServer() throws Exception {
        driver.putContent("/blob/data", bytes("secret"));
        String url = driver.redirectUrl("/blob/data", "GET").orElseThrow();
        String tampered = url.replace("blob/data", "blob/other");

        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(URI.create(tampered)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(403);
    }

    @Test
    void redirectUrl_put_isEmpty() throws IOException {
        driver.putContent("/blob/data", bytes("x"));

        assertThat(driver.redirectUrl("/blob/data", "PUT")).isEmpty();
    }

    // ---- start-up checks ----

    @Test
    void checkAccess_missingBucket_namesBucket() {
        S3Driver missing = newS3Driver(options(server.endpoint(), "no-such-bucket-here", ""));

        assertThatThrownBy(missing::checkAccess).isInstanceOf(IOException.class)
                .hasMessageContaining("bucket no-such-bucket-here does not exist");
    }

    @Test
    void checkAccess_unknownAccessKey_namesKeyId() {
        S3DriverOptions base = options(server.endpoint(), bucket, "");
        S3Driver wrong = newS3Driver(new S3DriverOptions(bucket, base.region(), base.endpoint(), "AKIDWRONG", "wrong-secret",
                null, true, "", false, null, false, base.chunkSize(), 1, 0, base.copyChunkSize(), 1, base.copyThresholdSize(),
                null, null, null, false, 4, base.connectTimeout(), base.socketTimeout(), 1, base.redirectExpiry()));

        assertThatThrownBy(wrong::checkAccess).isInstanceOf(IOException.class).hasMessageContaining("AKIDWRONG");
    }

    @Test
    void checkAccess_wrongSecret_namesKeyId() {
        S3DriverOptions base = options(server.endpoint(), bucket, "");
        S3Driver wrong = newS3Driver(new S3DriverOptions(bucket, base.region(), base.endpoint(), S3ProxyServer.ACCESS_KEY, "wrong-secret",
                null, true, "", false, null, false, base.chunkSize(), 1, 0, base.copyChunkSize(), 1, base.copyThresholdSize(),
                null, null, null, false, 4, base.connectTimeout(), base.socketTimeout(), 1, base.redirectExpiry()));

        assertThatThrownBy(wrong::checkAccess).isInstanceOf(IOException.class).hasMessageContaining(S3ProxyServer.ACCESS_KEY);
    }

    @Test
    void checkAccess_existingBucket_passes() throws IOException {
        ((S3Driver) rawDriver).checkAccess();
    }

    @Test
    void reader_largeObjectFromOffset_readsRemainder() throws IOException {
        byte[] content = randomBytes(3 * MIB, 8);
        driver.putContent("/r/large", content);

        try (InputStream in = driver.reader("/r/large", 2 * MIB + 7)) {
            assertThat(in.readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(content, 2 * MIB + 7, content.length));
        }
    }
}
