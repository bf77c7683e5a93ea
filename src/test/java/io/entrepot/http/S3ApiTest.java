package io.entrepot.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.entrepot.config.RegistryConfig;
import io.entrepot.config.StorageConfig;
import io.entrepot.testing.FaultInjectingProxy;
import io.entrepot.testing.RegistryClient;
import io.entrepot.testing.S3ProxyServer;
import io.entrepot.testing.TestConfigs;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The API suite on the S3 driver against S3Proxy, and what S3 adds: redirects, shared uploads, faults. */
class S3ApiTest extends RegistryApiContractTest {

    private static final int MIB = 1024 * 1024;

    @Override
    StorageConfig.Driver driver(Path tempDir) throws Exception {
        S3ProxyServer s3 = S3ProxyServer.shared();
        return TestConfigs.s3(s3.endpoint(), s3.newBucket());
    }

    private static RegistryConfig withRedirect(RegistryConfig base, StorageConfig.Redirect redirect) {
        StorageConfig storage = base.storage();
        return new RegistryConfig(base.version(), base.log(), new StorageConfig(storage.driver(), storage.deleteEnabled(),
                storage.uploadPurging(), storage.readOnly(), redirect), base.http());
    }

    @Test
    void blobGet_redirectEnabled_answers307ToPresignedUrl() throws Exception {
        restart(withRedirect(TestConfigs.config(driver(tempDir), true),
                new StorageConfig.Redirect(false, Duration.ofMinutes(5), List.of())));
        byte[] content = randomBytes(70_000, 31);
        String digest = client.pushBlob("app", content);

        HttpResponse<byte[]> get = client.get("v2/app/blobs/" + digest);
        HttpResponse<byte[]> head = client.head("v2/app/blobs/" + digest);

        assertThat(get.statusCode()).isEqualTo(307);
        String location = header(get, "Location");
        assertThat(location).contains("X-Amz-Signature=").contains("X-Amz-Expires=300");
        HttpResponse<byte[]> fetched = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(URI.create(location)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(fetched.statusCode()).isEqualTo(200);
        assertThat(fetched.body()).isEqualTo(content);
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(header(head, "Content-Length")).isEqualTo("70000");
    }

    @Test
    void blobGet_redirectMiddleware_answers307ToBaseUrl() throws Exception {
        restart(withRedirect(TestConfigs.config(driver(tempDir), true), new StorageConfig.Redirect(false, Duration.ofMinutes(5),
                List.of(new StorageConfig.BaseUrlRedirect(URI.create("https://cdn.example.com/base/"))))));
        String digest = client.pushBlob("app", randomBytes(1_000, 32));

        HttpResponse<byte[]> get = client.get("v2/app/blobs/" + digest);

        assertThat(get.statusCode()).isEqualTo(307);
        String hex = digest.substring("sha256:".length());
        assertThat(header(get, "Location"))
                .isEqualTo("https://cdn.example.com/base/docker/registry/v2/blobs/sha256/" + hex.substring(0, 2) + "/" + hex + "/data");
    }

    @Test
    void chunkedUpload_continuedBySecondServer_completesWithDigest() throws Exception {
        byte[] content = randomBytes(13 * MIB + 11, 33);
        String digest = RegistryClient.sha256(content);
        // A second registry on the same bucket, as a second instance behind a load balancer.
        RegistryServer second = RegistryServer.start(TestConfigs.config(lastDriver, true));
        try {
            RegistryClient other = new RegistryClient(second.baseUri());
            String location = header(client.send("POST", "v2/app/blobs/uploads/", null), "Location");

            HttpResponse<byte[]> first = client.send("PATCH", location, Arrays.copyOfRange(content, 0, 6 * MIB + 1),
                    "Content-Range", "0-" + (6 * MIB), "Content-Type", "application/octet-stream");
            HttpResponse<byte[]> middle = other.send("PATCH", header(first, "Location"), Arrays.copyOfRange(content, 6 * MIB + 1, 12 * MIB),
                    "Content-Range", (6 * MIB + 1) + "-" + (12 * MIB - 1), "Content-Type", "application/octet-stream");
            HttpResponse<byte[]> status = client.get(header(middle, "Location"));
            HttpResponse<byte[]> done = other.send("PUT", header(middle, "Location") + "?digest=" + digest,
                    Arrays.copyOfRange(content, 12 * MIB, content.length), "Content-Type", "application/octet-stream");

            assertThat(first.statusCode()).isEqualTo(202);
            assertThat(middle.statusCode()).isEqualTo(202);
            assertThat(header(status, "Range")).isEqualTo("0-" + (12 * MIB - 1));
            assertThat(done.statusCode()).isEqualTo(201);
            assertThat(client.get("v2/app/blobs/" + digest).body()).isEqualTo(content);
        } finally {
            second.close();
        }
    }

    /** The storage of the running server, so that a second server can share its bucket. */
    private StorageConfig.Driver lastDriver;

    @Override
    RegistryConfig config(RegistryConfig base) {
        lastDriver = base.storage().driver();
        return base;
    }

    @Test
    void pushAndPull_serverAnswering503_retriesAndSucceeds() throws Exception {
        S3ProxyServer s3 = S3ProxyServer.shared();
        try (FaultInjectingProxy proxy = new FaultInjectingProxy(s3.port(), 4)) {
            StorageConfig.S3 direct = TestConfigs.s3(proxy.endpoint(), s3.newBucket());
            restart(TestConfigs.config(direct, true));
            byte[] layer = randomBytes(7 * MIB, 34);

            String layerDigest = client.pushBlob("app", layer);
            String configDigest = client.pushBlob("app", "{}".getBytes());
            byte[] manifest = ociManifest(configDigest, 2, layerDigest, layer.length, null, null);
            HttpResponse<byte[]> put = client.putManifest("app", "v1", "application/vnd.oci.image.manifest.v1+json", manifest);
            HttpResponse<byte[]> pulled = client.get("v2/app/blobs/" + layerDigest);

            assertThat(put.statusCode()).isEqualTo(201);
            assertThat(pulled.statusCode()).isEqualTo(200);
            assertThat(pulled.body()).isEqualTo(layer);
            assertThat(proxy.faults()).isPositive();
        }
    }

    @Test
    void patch_storagePartFails_resumesFromRange() throws Exception {
        S3ProxyServer s3 = S3ProxyServer.shared();
        AtomicBoolean failing = new AtomicBoolean(true);
        // Rejects every attempt at part 3 of an upload, so the storage write fails after its retries.
        Pattern part3 = Pattern.compile("^PUT [^ ]*[?&]partNumber=3[& ]");
        try (FaultInjectingProxy proxy = new FaultInjectingProxy(s3.port(),
                head -> failing.get() && part3.matcher(head).find() && !head.toLowerCase(Locale.ROOT).contains("x-amz-copy-source"))) {
            restart(TestConfigs.config(TestConfigs.s3(proxy.endpoint(), s3.newBucket()), true));
            byte[] content = randomBytes(6 * 5 * MIB + 17, 35);
            String digest = RegistryClient.sha256(content);
            String location = header(client.send("POST", "v2/app/blobs/uploads/", null), "Location");

            HttpResponse<byte[]> failed = client.send("PATCH", location, content, "Content-Type", "application/octet-stream");
            HttpResponse<byte[]> status = client.get(location);
            failing.set(false);
            int stored = 2 * 5 * MIB;
            HttpResponse<byte[]> resumed = client.send("PATCH", location, Arrays.copyOfRange(content, stored, content.length),
                    "Content-Range", stored + "-" + (content.length - 1), "Content-Type", "application/octet-stream");
            HttpResponse<byte[]> done = client.send("PUT", header(resumed, "Location") + "?digest=" + digest, null);

            assertThat(failed.statusCode()).isGreaterThanOrEqualTo(500);
            assertThat(header(status, "Range")).isEqualTo("0-" + (stored - 1));
            assertThat(resumed.statusCode()).isEqualTo(202);
            assertThat(done.statusCode()).isEqualTo(201);
            assertThat(client.get("v2/app/blobs/" + digest).body()).isEqualTo(content);
        }
    }

    @Test
    void close_closesStorageClient() throws Exception {
        RegistryServer other = RegistryServer.start(TestConfigs.config(driver(tempDir), true));
        other.storage().putContent("/probe", new byte[] {1});

        other.close();

        assertThatThrownBy(() -> other.storage().getContent("/probe")).isInstanceOf(IOException.class)
                .hasMessageContaining("Connection pool shut down");
    }

    @Test
    void start_missingBucket_failsNamingBucket() {
        S3ProxyServer s3;
        try {
            s3 = S3ProxyServer.shared();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        StorageConfig.S3 missing = TestConfigs.s3(s3.endpoint(), "entrepot-missing-bucket");

        assertThatThrownBy(() -> RegistryServer.start(TestConfigs.config(missing, true)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("bucket entrepot-missing-bucket does not exist");
    }
}
