package io.entrepot.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrepot.config.HttpConfig;
import io.entrepot.config.StorageConfig;
import io.entrepot.testing.FaultInjectingProxy;
import io.entrepot.testing.RegistryClient;
import io.entrepot.testing.S3ProxyServer;
import io.entrepot.testing.TestConfigs;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The gauge {@code registry_storage_s3_part_buffer_bytes} on the debug listener of a registry on
 * S3Proxy: zero when idle, the buffers of parts held at the proxy during an upload, zero again after.
 */
class S3PartBufferMetricTest {

    private static final Pattern GAUGE = Pattern.compile("(?m)^registry_storage_s3_part_buffer_bytes ([0-9.eE+]+)$");
    private static final Pattern UPLOAD_PART = Pattern.compile("^PUT [^ ]*[?&]partNumber=\\d+[& ]");
    private static final long PART = StorageConfig.S3.MIN_CHUNK_SIZE;

    @Test
    void gauge_countsHeldPartBuffers() throws Exception {
        S3ProxyServer s3 = S3ProxyServer.shared();
        AtomicInteger heldParts = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        try (FaultInjectingProxy proxy = FaultInjectingProxy.holding(s3.port(), S3PartBufferMetricTest::isUploadPart, heldParts, release);
                RegistryServer server = RegistryServer.start(TestConfigs.withHttp(
                        TestConfigs.s3(proxy.endpoint(), s3.newBucket()), false, httpWithDebug()))) {
            assertThat(gauge(server)).as("gauge before any upload").isZero();

            RegistryClient client = new RegistryClient(server.baseUri());
            byte[] content = new byte[(int) (2 * PART + 4_096)];
            new Random(41).nextBytes(content);
            String location = client.send("POST", "v2/app/blobs/uploads/", null).headers().firstValue("Location").orElseThrow();
            CompletableFuture<HttpResponse<byte[]>> patch = CompletableFuture.supplyAsync(
                    () -> client.send("PATCH", location, content, "Content-Type", "application/octet-stream"));

            // Each part held at the proxy keeps its buffer until the proxy lets it through.
            awaitAtLeast(heldParts, 1);
            int held = heldParts.get();
            double during = gauge(server);
            assertThat(during).as("gauge with %d parts held", held).isGreaterThanOrEqualTo((double) held * PART);
            assertThat(during % PART).as("gauge in whole part buffers").isZero();

            release.countDown();
            HttpResponse<byte[]> patched = patch.get(120, TimeUnit.SECONDS);
            assertThat(patched.statusCode()).isEqualTo(202);
            String done = patched.headers().firstValue("Location").orElseThrow();
            String digest = RegistryClient.sha256(content);
            assertThat(client.send("PUT", done + (done.contains("?") ? "&" : "?") + "digest=" + digest, null).statusCode())
                    .isEqualTo(201);
            assertThat(gauge(server)).as("gauge after the upload completed").isZero();
        }
    }

    private static HttpConfig httpWithDebug() {
        return new HttpConfig("127.0.0.1:0", HttpConfig.Net.TCP, "/", null, false, Map.of(), Duration.ZERO,
                "127.0.0.1:0", HttpConfig.DEFAULT_MAX_MANIFEST_SIZE);
    }

    private static double gauge(RegistryServer server) throws Exception {
        String metrics = MetricsEndpointTest.scrape(server, "/metrics", null).body();
        Matcher matcher = GAUGE.matcher(metrics);
        assertThat(matcher.find()).as("registry_storage_s3_part_buffer_bytes in the metrics").isTrue();
        return Double.parseDouble(matcher.group(1));
    }

    /** Returns whether {@code head} is an UploadPart request, and false for UploadPartCopy. */
    private static boolean isUploadPart(String head) {
        return UPLOAD_PART.matcher(head).find() && !head.toLowerCase(Locale.ROOT).contains("\r\nx-amz-copy-source:");
    }

    private static void awaitAtLeast(AtomicInteger counter, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (counter.get() < expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(counter.get()).as("parts held at the proxy").isGreaterThanOrEqualTo(expected);
    }
}
