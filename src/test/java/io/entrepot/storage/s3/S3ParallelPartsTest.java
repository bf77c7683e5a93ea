package io.entrepot.storage.s3;

import static io.entrepot.storage.s3.S3DriverContractTest.options;
import static io.entrepot.storage.s3.S3DriverContractTest.randomBytes;
import static io.entrepot.storage.s3.S3DriverContractTest.writeInChunks;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.entrepot.storage.FileWriter;
import io.entrepot.testing.FaultInjectingProxy;
import io.entrepot.testing.S3ProxyServer;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * Parts sent in parallel by the S3 writer, against S3Proxy: content, the bound on parts in
 * flight, a part that fails, and parts stored after a gap.
 *
 * <p>That a writer has at most {@code uploadconcurrency + 1} part buffers cannot be measured
 * here without timing the heap. It follows from the bound on parts in flight, which
 * {@link #writer_partsInFlight_boundedByConcurrency} checks, because only a part in flight or the
 * one being filled holds a buffer.
 */
class S3ParallelPartsTest {

    private static final int MIB = 1024 * 1024;
    private static final int PART = 5 * MIB;
    private static final Pattern UPLOAD_PART = Pattern.compile("^PUT [^ ]*[?&]partNumber=(\\d+)[& ]");

    S3ProxyServer server;
    String bucket;

    @BeforeEach
    void newBucket() throws Exception {
        server = S3ProxyServer.shared();
        bucket = server.newBucket();
    }

    /** Returns the part number of an UploadPart request head, or 0 for any other request (UploadPartCopy included). */
    private static int uploadPartNumber(String head) {
        var matcher = UPLOAD_PART.matcher(head);
        if (!matcher.find() || head.toLowerCase(java.util.Locale.ROOT).contains("\r\nx-amz-copy-source:")) {
            return 0;
        }
        return Integer.parseInt(matcher.group(1));
    }

    @Test
    void writer_manyParts_readsBackIdentical() throws IOException {
        byte[] content = randomBytes(13 * PART + 4_321, 21);

        try (S3Driver driver = new S3Driver(options(server.endpoint(), bucket, "root", 4, 4))) {
            try (FileWriter writer = driver.writer("/up/data", false)) {
                writeInChunks(writer, content, 0, content.length, 1_048_573);
                writer.commit();
                assertThat(writer.size()).isEqualTo(content.length);
            }

            assertThat(driver.getContent("/up/data")).isEqualTo(content);
        }
        assertThat(server.multipartUploads(bucket)).isEmpty();
        // A multipart object's ETag ends with its number of parts: 13 full ones and the remainder.
        assertThat(server.admin().headObject(b -> b.bucket(bucket).key("root/up/data")).eTag()).endsWith("-14\"");
    }

    @Test
    void writer_partsInFlight_boundedByConcurrency() throws Exception {
        byte[] content = randomBytes(6 * PART + 99, 22);
        AtomicInteger heldParts = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        // Holds every UploadPart request until released, so the parts in flight pile up at the proxy.
        FaultInjectingProxy proxy = new FaultInjectingProxy(server.port(), head -> {
            if (uploadPartNumber(head) > 0 && release.getCount() > 0) {
                heldParts.incrementAndGet();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return false;
        });
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        try (proxy; executor; S3Driver driver = new S3Driver(options(proxy.endpoint(), bucket, "root", 2, 1))) {
            Future<?> writing = executor.submit(() -> {
                try (FileWriter writer = driver.writer("/up/data", false)) {
                    writeInChunks(writer, content, 0, content.length, 777_777);
                    writer.commit();
                }
                return null;
            });

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (heldParts.get() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(heldParts.get()).as("parts in flight together").isEqualTo(2);
            // With two parts held, the writer must wait instead of sending a third one.
            Thread.sleep(500);
            assertThat(heldParts.get()).as("parts in flight after a pause").isEqualTo(2);
            release.countDown();
            writing.get(60, TimeUnit.SECONDS);

            assertThat(driver.getContent("/up/data")).isEqualTo(content);
        }
    }

    @Test
    void writer_partFails_resumesFromReportedOffset() throws Exception {
        byte[] content = randomBytes(8 * PART + 1_234, 23);
        AtomicBoolean failing = new AtomicBoolean(true);

        try (FaultInjectingProxy proxy = new FaultInjectingProxy(server.port(), head -> failing.get() && uploadPartNumber(head) == 3);
                S3Driver driver = new S3Driver(options(proxy.endpoint(), bucket, "root", 4, 2))) {
            assertThatThrownBy(() -> {
                try (FileWriter writer = driver.writer("/up/data", false)) {
                    writeInChunks(writer, content, 0, content.length, 1_000_003);
                    writer.commit();
                }
            }).isInstanceOf(IOException.class).hasMessageContaining("SlowDown");
            // Part 3 was tried twice (maxAttempts 2), and nothing else failed.
            assertThat(proxy.faults()).isEqualTo(2);

            // Parts 1 and 2 are stored; whatever followed part 3 does not count.
            long reported = driver.stat("/up/data").size();
            assertThat(reported).isEqualTo(2L * PART);

            failing.set(false);
            try (FileWriter writer = driver.writer("/up/data", true)) {
                assertThat(writer.size()).isEqualTo(reported);
                writeInChunks(writer, content, (int) reported, content.length, 1_000_003);
                writer.commit();
            }

            assertThat(driver.getContent("/up/data")).isEqualTo(content);
        }
        assertThat(server.multipartUploads(bucket)).isEmpty();
    }

    @Test
    void reopen_partsAfterGap_neverCounted() throws IOException {
        byte[] content = randomBytes(4 * PART + 55, 24);
        byte[] stale = randomBytes(PART, 25);
        // The state a killed writer can leave: parts 1 and 2, part 3 never stored, parts 4 and 5 stored.
        var admin = server.admin();
        String uploadId = admin.createMultipartUpload(b -> b.bucket(bucket).key("root/up/data")).uploadId();
        for (int part : new int[] {1, 2, 4, 5}) {
            byte[] body = part <= 2 ? Arrays.copyOfRange(content, (part - 1) * PART, part * PART) : stale;
            admin.uploadPart(b -> b.bucket(bucket).key("root/up/data").uploadId(uploadId).partNumber(part),
                    RequestBody.fromBytes(body));
        }

        try (S3Driver driver = new S3Driver(options(server.endpoint(), bucket, "root", 4, 4))) {
            assertThat(driver.stat("/up/data").size()).isEqualTo(2L * PART);

            // One new part fills the gap; the stale parts 4 and 5 must not join it.
            try (FileWriter writer = driver.writer("/up/data", true)) {
                assertThat(writer.size()).isEqualTo(2L * PART);
                writer.write(content, 2 * PART, PART);
            }
            assertThat(driver.stat("/up/data").size()).isEqualTo(3L * PART);

            try (FileWriter writer = driver.writer("/up/data", true)) {
                writer.write(content, 3 * PART, content.length - 3 * PART);
                writer.commit();
            }
            assertThat(driver.getContent("/up/data")).isEqualTo(content);
        }
        assertThat(server.multipartUploads(bucket)).isEmpty();
    }

    @Test
    void close_closesClient() throws IOException {
        S3Driver driver = new S3Driver(options(server.endpoint(), bucket, "root"));
        driver.putContent("/a", new byte[] {1});

        driver.close();
        driver.close();

        assertThat(driver.isClosed()).isTrue();
        // The SDK does not close an HTTP client that it was given, so this shows the driver closed the pool itself.
        assertThatThrownBy(() -> driver.getContent("/a")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Connection pool shut down");
    }
}
