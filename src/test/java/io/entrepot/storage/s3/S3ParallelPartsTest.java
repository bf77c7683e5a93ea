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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
 * <p>The part buffers are counted by the driver's {@link S3BufferBudget}, so the tests read how
 * many writers hold, how many extra buffers came from the budget, and that all of them return
 * after commit, close, cancel and a failed part. That a writer has at most
 * {@code uploadconcurrency + 1} buffers follows from the bound on parts in flight, which
 * {@link #writer_partsInFlight_boundedByConcurrency} checks, because only a part in flight or the
 * one being filled has a buffer.
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

    /** Holds every UploadPart request at the proxy until {@code release} opens, counting the held ones. */
    private static FaultInjectingProxy holdingParts(S3ProxyServer server, AtomicInteger heldParts, CountDownLatch release)
            throws IOException {
        return FaultInjectingProxy.holding(server.port(), head -> uploadPartNumber(head) > 0, heldParts, release);
    }

    private static void awaitAtLeast(AtomicInteger counter, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (counter.get() < expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    @Test
    void writers_smallBudget_allComplete() throws Exception {
        int writers = 6;
        byte[][] contents = new byte[writers][];
        for (int i = 0; i < writers; i++) {
            // Four buffers' worth each, so every writer needs three extra buffers and the budget runs out.
            contents[i] = randomBytes(3 * PART + 1_000 + i, 30 + i);
        }

        AtomicInteger heldParts = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        // Two extra buffers for all six writers.
        try (FaultInjectingProxy proxy = holdingParts(server, heldParts, release); executor;
                S3Driver driver = new S3Driver(options(proxy.endpoint(), bucket, "root", 4, 4, 2L * PART))) {
            S3BufferBudget budget = driver.bufferBudget();
            assertThat(budget.extraBuffers()).isEqualTo(2);
            List<Future<?>> writing = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                int index = i;
                writing.add(executor.submit(() -> {
                    try (FileWriter writer = driver.writer("/up/" + index, false)) {
                        writeInChunks(writer, contents[index], 0, contents[index].length, 999_999);
                        writer.commit();
                    }
                    return null;
                }));
            }

            // Every writer sends its first part, and the two extra buffers carry two more parts.
            // Then every writer waits for its own parts, which the proxy keeps.
            awaitAtLeast(heldParts, writers + 2);
            assertThat(heldParts.get()).as("parts held at the proxy").isEqualTo(writers + 2);
            assertThat(budget.extrasInUse()).as("extra buffers in use").isEqualTo(2);
            assertThat(budget.buffersInUse()).as("buffers in use").isEqualTo(writers + 2);
            assertThat(driver.partBufferBytes()).isEqualTo((writers + 2L) * PART);

            release.countDown();
            for (Future<?> future : writing) {
                future.get(120, TimeUnit.SECONDS);
            }

            for (int i = 0; i < writers; i++) {
                assertThat(driver.getContent("/up/" + i)).as("content of writer " + i).isEqualTo(contents[i]);
            }
            assertThat(budget.peakExtrasInUse()).as("most extra buffers at once").isEqualTo(2);
            assertThat(budget.buffersInUse()).as("buffers in use after the writers closed").isZero();
            assertThat(budget.extrasInUse()).isZero();
        }
        assertThat(server.multipartUploads(bucket)).isEmpty();
    }

    @Test
    void writers_manyConcurrent_budgetNeverExceeded() throws Exception {
        int writers = 12;
        byte[][] contents = new byte[writers][];
        for (int i = 0; i < writers; i++) {
            contents[i] = randomBytes(2 * PART + 7_000 * (i + 1), 50 + i);
        }
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        try (executor; S3Driver driver = new S3Driver(options(server.endpoint(), bucket, "root", 3, 4, 3L * PART))) {
            List<Future<?>> writing = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                int index = i;
                writing.add(executor.submit(() -> {
                    try (FileWriter writer = driver.writer("/up/" + index, false)) {
                        writeInChunks(writer, contents[index], 0, contents[index].length, 262_144 + index);
                        writer.commit();
                    }
                    return null;
                }));
            }
            for (Future<?> future : writing) {
                future.get(120, TimeUnit.SECONDS);
            }

            for (int i = 0; i < writers; i++) {
                assertThat(driver.getContent("/up/" + i)).as("content of writer " + i).isEqualTo(contents[i]);
            }
            S3BufferBudget budget = driver.bufferBudget();
            assertThat(budget.peakExtrasInUse()).as("most extra buffers at once").isBetween(0, 3);
            assertThat(budget.buffersInUse()).isZero();
            assertThat(budget.extrasInUse()).isZero();
        }
    }

    @Test
    void writer_zeroBudget_sendsOnePartAtATime() throws Exception {
        byte[] content = randomBytes(4 * PART + 321, 26);
        AtomicInteger heldParts = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        try (FaultInjectingProxy proxy = holdingParts(server, heldParts, release); executor;
                S3Driver driver = new S3Driver(options(proxy.endpoint(), bucket, "root", 4, 4, 0))) {
            Future<?> writing = executor.submit(() -> {
                try (FileWriter writer = driver.writer("/up/data", false)) {
                    writeInChunks(writer, content, 0, content.length, 1_000_001);
                    writer.commit();
                }
                return null;
            });

            awaitAtLeast(heldParts, 1);
            // The only buffer is in flight, so the writer waits for it rather than filling a second one.
            assertThat(driver.bufferBudget().buffersInUse()).isEqualTo(1);
            release.countDown();
            writing.get(60, TimeUnit.SECONDS);

            assertThat(driver.getContent("/up/data")).isEqualTo(content);
            assertThat(driver.bufferBudget().peakExtrasInUse()).isZero();
            assertThat(driver.bufferBudget().buffersInUse()).isZero();
        }
    }

    @Test
    void writer_partFails_returnsEveryBuffer() throws Exception {
        byte[] content = randomBytes(8 * PART + 17, 27);

        try (FaultInjectingProxy proxy = new FaultInjectingProxy(server.port(), head -> uploadPartNumber(head) == 2);
                S3Driver driver = new S3Driver(options(proxy.endpoint(), bucket, "root", 4, 1, 2L * PART))) {
            assertThatThrownBy(() -> {
                try (FileWriter writer = driver.writer("/up/data", false)) {
                    writeInChunks(writer, content, 0, content.length, 1_000_003);
                    writer.commit();
                }
            }).isInstanceOf(IOException.class).hasMessageContaining("SlowDown");
            assertThat(proxy.faults()).isEqualTo(1);

            S3BufferBudget budget = driver.bufferBudget();
            assertThat(budget.buffersInUse()).as("buffers in use after the failure").isZero();
            assertThat(budget.extrasInUse()).isZero();
            // The whole budget is free again: a new writer gets both extra buffers.
            assertThat(budget.tryTakeExtra()).isTrue();
            assertThat(budget.tryTakeExtra()).isTrue();
            assertThat(budget.tryTakeExtra()).isFalse();
            budget.returnExtra();
            budget.returnExtra();
        }
    }

    @Test
    void writer_cancelOrClose_returnsEveryBuffer() throws Exception {
        byte[] content = randomBytes(5 * PART + 4_444, 28);

        try (S3Driver driver = new S3Driver(options(server.endpoint(), bucket, "root", 4, 4, 3L * PART))) {
            S3BufferBudget budget = driver.bufferBudget();
            FileWriter cancelled = driver.writer("/up/cancelled", false);
            writeInChunks(cancelled, content, 0, content.length, 1_048_576);
            assertThat(budget.buffersInUse()).as("buffers of an open writer").isPositive();
            cancelled.cancel();
            assertThat(budget.buffersInUse()).as("buffers after cancel").isZero();

            FileWriter closed = driver.writer("/up/closed", false);
            writeInChunks(closed, content, 0, content.length, 1_048_576);
            closed.close();
            assertThat(budget.buffersInUse()).as("buffers after close").isZero();
            assertThat(budget.extrasInUse()).isZero();
            assertThat(driver.stat("/up/closed").size()).isEqualTo(content.length);

            // A small file that never became a multipart upload returns its buffer on commit too.
            try (FileWriter small = driver.writer("/up/small", false)) {
                small.write(content, 0, 1_000);
                small.commit();
            }
            assertThat(budget.buffersInUse()).as("buffers after a single-request commit").isZero();
            assertThat(driver.getContent("/up/small")).hasSize(1_000);
        }
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
