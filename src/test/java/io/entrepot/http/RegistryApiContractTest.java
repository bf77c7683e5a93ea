package io.entrepot.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrepot.config.RegistryConfig;
import io.entrepot.config.StorageConfig;
import io.entrepot.registry.MediaTypes;
import io.entrepot.testing.RawHttp;
import io.entrepot.testing.RegistryClient;
import io.entrepot.testing.TestConfigs;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole registry API driven with real HTTP requests against a running server. Each storage
 * driver runs the same suite through a subclass.
 */
abstract class RegistryApiContractTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tempDir;

    RegistryServer server;
    RegistryClient client;

    /** Returns the storage driver configuration for a fresh, empty registry. */
    abstract StorageConfig.Driver driver(Path tempDir) throws Exception;

    @BeforeEach
    void startServer() throws Exception {
        server = RegistryServer.start(config(TestConfigs.config(driver(tempDir), true)));
        client = new RegistryClient(server.baseUri());
    }

    /** Lets a subclass or test adjust the configuration. */
    RegistryConfig config(RegistryConfig base) {
        return base;
    }

    @AfterEach
    void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    void restart(RegistryConfig config) throws Exception {
        server.close();
        server = RegistryServer.start(config);
        client = new RegistryClient(server.baseUri());
    }

    // ---- helpers ----

    static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static JsonNode json(HttpResponse<byte[]> response) throws IOException {
        return JSON.readTree(response.body());
    }

    /** Parses a response that must have succeeded, so that a check on its fields cannot pass on an error body. */
    static JsonNode okJson(HttpResponse<byte[]> response) throws IOException {
        assertThat(response.statusCode()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    static String errorCode(HttpResponse<byte[]> response) throws IOException {
        return json(response).path("errors").path(0).path("code").asText();
    }

    static String errorMessage(HttpResponse<byte[]> response) throws IOException {
        return json(response).path("errors").path(0).path("message").asText();
    }

    static String header(HttpResponse<?> response, String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    /** Every file in storage with its size: compared before and after a rejected request. */
    TreeMap<String, Long> storageSnapshot() throws IOException {
        return io.entrepot.testing.StorageSnapshot.of(server.storage());
    }

    record Image(String repository, String configDigest, String layerDigest, byte[] manifest, String digest) {}

    /** Pushes a config and one layer, and returns an OCI image manifest naming them (not yet stored). */
    Image prepareImage(String repository, long seed) throws IOException {
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"seed\":" + seed + "}").getBytes(StandardCharsets.UTF_8);
        byte[] layer = randomBytes(2048, seed);
        String configDigest = client.pushBlob(repository, config);
        String layerDigest = client.pushBlob(repository, layer);
        byte[] manifest = ociManifest(configDigest, config.length, layerDigest, layer.length, null, null);
        return new Image(repository, configDigest, layerDigest, manifest, RegistryClient.sha256(manifest));
    }

    static byte[] ociManifest(String configDigest, long configSize, String layerDigest, long layerSize, String artifactType, String subject) {
        StringBuilder json = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\"");
        if (artifactType != null) {
            json.append(",\"artifactType\":\"").append(artifactType).append('"');
        }
        json.append(",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"")
                .append(configDigest).append("\",\"size\":").append(configSize).append('}');
        json.append(",\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"")
                .append(layerDigest).append("\",\"size\":").append(layerSize).append("}]");
        if (subject != null) {
            json.append(",\"subject\":").append(subject);
        }
        json.append(",\"annotations\":{\"org.example.seed\":\"").append(configSize).append("\"}}");
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }

    Image pushImage(String repository, String tag, long seed) throws IOException {
        Image image = prepareImage(repository, seed);
        HttpResponse<byte[]> response = client.putManifest(repository, tag, MediaTypes.OCI_MANIFEST, image.manifest());
        assertThat(response.statusCode()).as(new String(response.body())).isEqualTo(201);
        return image;
    }

    // ---- base ----

    @Test
    void base_get_returnsApiVersionHeader() {
        HttpResponse<byte[]> response = client.get("v2/");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(header(response, "Docker-Distribution-API-Version")).isEqualTo("registry/2.0");
        assertThat(header(response, "X-Content-Type-Options")).isEqualTo("nosniff");
    }

    @Test
    void unknownPath_returns404WithEnvelope() throws IOException {
        HttpResponse<byte[]> response = client.get("v2/foo/bar/unknown");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(errorCode(response)).isEqualTo("NOT_FOUND");
    }

    // ---- blobs ----

    @Test
    void monolithicUpload_storesBlobAndReturnsLocation() throws IOException {
        byte[] content = randomBytes(10_000, 1);
        String digest = RegistryClient.sha256(content);

        HttpResponse<byte[]> response = client.send("POST", "v2/app/blobs/uploads/?digest=" + digest, content);

        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(header(response, "Location")).endsWith("/v2/app/blobs/" + digest);
        assertThat(header(response, "Docker-Content-Digest")).isEqualTo(digest);
        HttpResponse<byte[]> get = client.get("v2/app/blobs/" + digest);
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.body()).isEqualTo(content);
        assertThat(header(get, "Docker-Content-Digest")).isEqualTo(digest);
        assertThat(header(get, "Content-Type")).isEqualTo("application/octet-stream");
    }

    @Test
    void blobHead_returnsLengthWithoutBody() {
        byte[] content = randomBytes(4096, 2);
        String digest = client.pushBlob("app", content);

        HttpResponse<byte[]> response = client.head("v2/app/blobs/" + digest);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(header(response, "Content-Length")).isEqualTo("4096");
        assertThat(header(response, "Docker-Content-Digest")).isEqualTo(digest);
        assertThat(response.body()).isEmpty();
    }

    @Test
    void blobGet_withRange_returnsPartialContent() {
        byte[] content = randomBytes(1000, 3);
        String digest = client.pushBlob("app", content);

        HttpResponse<byte[]> middle = client.get("v2/app/blobs/" + digest, "Range", "bytes=100-199");
        HttpResponse<byte[]> open = client.get("v2/app/blobs/" + digest, "Range", "bytes=900-");
        HttpResponse<byte[]> suffix = client.get("v2/app/blobs/" + digest, "Range", "bytes=-10");

        assertThat(middle.statusCode()).isEqualTo(206);
        assertThat(middle.body()).isEqualTo(Arrays.copyOfRange(content, 100, 200));
        assertThat(header(middle, "Content-Range")).isEqualTo("bytes 100-199/1000");
        assertThat(open.statusCode()).isEqualTo(206);
        assertThat(open.body()).isEqualTo(Arrays.copyOfRange(content, 900, 1000));
        assertThat(suffix.body()).isEqualTo(Arrays.copyOfRange(content, 990, 1000));
    }

    @ParameterizedTest
    @ValueSource(strings = {"bytes=1000-1100", "bytes=5000-", "bytes=abc", "bytes=0-1,5-6", "items=0-1", "bytes=50-10", "bytes=-0"})
    void blobGet_badRange_returns416(String range) throws IOException {
        String digest = client.pushBlob("app", randomBytes(1000, 4));

        HttpResponse<byte[]> response = client.get("v2/app/blobs/" + digest, "Range", range);

        assertThat(response.statusCode()).isEqualTo(416);
        assertThat(errorCode(response)).isEqualTo("RANGE_INVALID");
        assertThat(errorMessage(response)).contains(range);
        assertThat(header(response, "Content-Range")).isEqualTo("bytes */1000");
    }

    @Test
    void blobGet_unknownDigest_returnsBlobUnknown() throws IOException {
        String digest = RegistryClient.sha256("nothing".getBytes(StandardCharsets.UTF_8));

        HttpResponse<byte[]> response = client.get("v2/app/blobs/" + digest);

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(errorCode(response)).isEqualTo("BLOB_UNKNOWN");
        assertThat(errorMessage(response)).contains(digest);
        assertThat(client.head("v2/app/blobs/" + digest).statusCode()).isEqualTo(404);
    }

    @Test
    void blobGet_fromOtherRepository_returnsBlobUnknown() throws IOException {
        String digest = client.pushBlob("team/one", randomBytes(100, 5));

        HttpResponse<byte[]> response = client.get("v2/team/two/blobs/" + digest);

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(errorCode(response)).isEqualTo("BLOB_UNKNOWN");
    }

    @Test
    void blobDelete_removesFromRepository() throws IOException {
        String digest = client.pushBlob("app", randomBytes(100, 6));

        HttpResponse<byte[]> response = client.delete("v2/app/blobs/" + digest);

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(client.head("v2/app/blobs/" + digest).statusCode()).isEqualTo(404);
        assertThat(errorCode(client.delete("v2/app/blobs/" + digest))).isEqualTo("BLOB_UNKNOWN");
    }

    @Test
    void blobDelete_whenDisabled_returnsUnsupported() throws Exception {
        restart(TestConfigs.config(driver(tempDir.resolve("nodelete")), false));
        String digest = client.pushBlob("app", randomBytes(100, 7));
        var before = storageSnapshot();

        HttpResponse<byte[]> response = client.delete("v2/app/blobs/" + digest);

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(errorCode(response)).isEqualTo("UNSUPPORTED");
        assertThat(errorMessage(response)).contains("storage.delete.enabled");
        assertThat(storageSnapshot()).isEqualTo(before);
    }

    // ---- uploads ----

    @Test
    void uploadStart_returnsSessionHeaders() {
        HttpResponse<byte[]> response = client.send("POST", "v2/app/blobs/uploads/", null);

        assertThat(response.statusCode()).isEqualTo(202);
        String uuid = header(response, "Docker-Upload-UUID");
        assertThat(uuid).matches("[0-9a-f-]{36}");
        assertThat(header(response, "Location")).endsWith("/v2/app/blobs/uploads/" + uuid);
        assertThat(header(response, "Range")).isEqualTo("0-0");
    }

    @Test
    void chunkedUpload_withContentRange_completesWithDigest() {
        byte[] content = randomBytes(30_000, 8);
        String digest = RegistryClient.sha256(content);
        String location = header(client.send("POST", "v2/app/blobs/uploads/", null), "Location");

        HttpResponse<byte[]> first = client.send("PATCH", location, Arrays.copyOfRange(content, 0, 10_000),
                "Content-Range", "0-9999", "Content-Type", "application/octet-stream");
        HttpResponse<byte[]> second = client.send("PATCH", header(first, "Location"), Arrays.copyOfRange(content, 10_000, 25_000),
                "Content-Range", "10000-24999", "Content-Type", "application/octet-stream");
        HttpResponse<byte[]> status = client.get(header(second, "Location"));
        HttpResponse<byte[]> done = client.send("PUT", header(second, "Location") + "?digest=" + digest,
                Arrays.copyOfRange(content, 25_000, 30_000), "Content-Type", "application/octet-stream");

        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(header(first, "Range")).isEqualTo("0-9999");
        assertThat(header(second, "Range")).isEqualTo("0-24999");
        assertThat(status.statusCode()).isEqualTo(204);
        assertThat(header(status, "Range")).isEqualTo("0-24999");
        assertThat(done.statusCode()).isEqualTo(201);
        assertThat(header(done, "Docker-Content-Digest")).isEqualTo(digest);
        assertThat(client.get("v2/app/blobs/" + digest).body()).isEqualTo(content);
        assertThat(client.get(location).statusCode()).isEqualTo(404);
    }

    @Test
    void streamedUpload_withoutContentRange_completes() {
        byte[] content = randomBytes(50_000, 9);
        String digest = RegistryClient.sha256(content);
        String location = header(client.send("POST", "v2/app/blobs/uploads/", null), "Location");

        HttpResponse<byte[]> patch = client.send("PATCH", location, content);
        HttpResponse<byte[]> done = client.send("PUT", header(patch, "Location") + "?digest=" + digest, null);

        assertThat(header(patch, "Range")).isEqualTo("0-49999");
        assertThat(done.statusCode()).isEqualTo(201);
        assertThat(client.get("v2/app/blobs/" + digest).body()).isEqualTo(content);
    }

    @Test
    void emptyBlob_uploadsAndServes() {
        byte[] empty = new byte[0];
        String digest = RegistryClient.sha256(empty);
        String location = header(client.send("POST", "v2/app/blobs/uploads/", null), "Location");

        HttpResponse<byte[]> done = client.send("PUT", location + "?digest=" + digest, null);

        assertThat(done.statusCode()).isEqualTo(201);
        HttpResponse<byte[]> get = client.get("v2/app/blobs/" + digest);
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.body()).isEmpty();
    }

    @Test
    void patch_outOfOrderContentRange_returns416AndKeepsData() throws IOException {
        byte[] content = randomBytes(2000, 10);
        String location = header(client.send("POST", "v2/app/blobs/uploads/", null), "Location");
        client.send("PATCH", location, Arrays.copyOfRange(content, 0, 1000), "Content-Range", "0-999");
        var before = storageSnapshot();

        HttpResponse<byte[]> response = client.send("PATCH", location, Arrays.copyOfRange(content, 1500, 2000), "Content-Range", "1500-1999");

        assertThat(response.statusCode()).isEqualTo(416);
        assertThat(errorCode(response)).isEqualTo("RANGE_INVALID");
        assertThat(errorMessage(response)).contains("1500").contains("1000");
        assertThat(header(client.get(location), "Range")).isEqualTo("0-999");
        assertThat(storageSnapshot()).isEqualTo(before);
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "5-", "10-5", "bytes=x-y", "-5"})
    void patch_malformedContentRange_returns416(String contentRange) throws IOException {
        String location = header(client.send("POST", "v2/app/blobs/uploads/", null), "Location");
        var before = storageSnapshot();

        HttpResponse<byte[]> response = client.send("PATCH", location, new byte[10], "Content-Range", contentRange);

        assertThat(response.statusCode()).isEqualTo(416);
        assertThat(errorCode(response)).isEqualTo("RANGE_INVALID");
        assertThat(errorMessage(response)).contains(contentRange);
        assertThat(storageSnapshot()).isEqualTo(before);
    }

    @Test
    void patch_contentRangeDisagreeingWithLength_returns416() throws IOException {
        String location = header(client.send("POST", "v2/app/blobs/uploads/", null), "Location");

        HttpResponse<byte[]> response = client.send("PATCH", location, new byte[10], "Content-Range", "0-19");

        assertThat(response.statusCode()).isEqualTo(416);
        assertThat(errorCode(response)).isEqualTo("RANGE_INVALID");
        assertThat(header(client.get(location), "Range")).isEqualTo("0-0");
    }

    @Test
    void complete_wrongDigest_rejectsAndStoresNothing() throws IOException {
        byte[] content = randomBytes(1000, 11);
        String wrong = RegistryClient.sha256("other".getBytes(StandardCharsets.UTF_8));
        var before = storageSnapshot();
        String location = header(client.send("POST", "v2/app/blobs/uploads/", null), "Location");

        HttpResponse<byte[]> response = client.send("PUT", location + "?digest=" + wrong, content);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(errorCode(response)).isEqualTo("DIGEST_INVALID");
        assertThat(errorMessage(response)).contains(wrong).contains(RegistryClient.sha256(content));
        assertThat(client.head("v2/app/blobs/" + wrong).statusCode()).isEqualTo(404);
        assertThat(client.head("v2/app/blobs/" + RegistryClient.sha256(content)).statusCode()).isEqualTo(404);
        assertThat(storageSnapshot().keySet()).allMatch(path -> before.containsKey(path));
    }

    @Test
    void monolithic_wrongDigest_storesNothing() throws IOException {
        byte[] content = randomBytes(1000, 12);
        String wrong = RegistryClient.sha256("other".getBytes(StandardCharsets.UTF_8));
        var before = storageSnapshot();

        HttpResponse<byte[]> response = client.send("POST", "v2/app/blobs/uploads/?digest=" + wrong, content);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(errorCode(response)).isEqualTo("DIGEST_INVALID");
        assertThat(storageSnapshot().keySet()).allMatch(path -> before.containsKey(path));
    }

    @Test
    void complete_withoutDigest_returnsDigestInvalid() throws IOException {
        String location = header(client.send("POST", "v2/app/blobs/uploads/", null), "Location");

        HttpResponse<byte[]> response = client.send("PUT", location, new byte[5]);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(errorCode(response)).isEqualTo("DIGEST_INVALID");
    }

    @Test
    void cancelUpload_removesSession() throws IOException {
        String location = header(client.send("POST", "v2/app/blobs/uploads/", null), "Location");
        client.send("PATCH", location, new byte[100]);

        HttpResponse<byte[]> response = client.delete(location);

        assertThat(response.statusCode()).isEqualTo(204);
        HttpResponse<byte[]> status = client.get(location);
        assertThat(status.statusCode()).isEqualTo(404);
        assertThat(errorCode(status)).isEqualTo("BLOB_UPLOAD_UNKNOWN");
        assertThat(storageSnapshot().keySet()).noneMatch(path -> path.contains("/_uploads/"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"not-a-uuid", "00000000-0000-0000-0000-000000000000"})
    void unknownUpload_returnsUploadUnknown(String id) throws IOException {
        for (String method : List.of("GET", "PATCH", "PUT", "DELETE")) {
            HttpResponse<byte[]> response = client.send(method, "v2/app/blobs/uploads/" + id, method.equals("GET") || method.equals("DELETE") ? null : new byte[1]);

            assertThat(response.statusCode()).as(method).isEqualTo(404);
            assertThat(errorCode(response)).as(method).isEqualTo("BLOB_UPLOAD_UNKNOWN");
        }
    }

    @Test
    void mount_fromRepositoryWithBlob_links() {
        String digest = client.pushBlob("source/app", randomBytes(500, 13));

        HttpResponse<byte[]> response = client.send("POST", "v2/target/app/blobs/uploads/?mount=" + digest + "&from=source/app", null);

        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(header(response, "Location")).endsWith("/v2/target/app/blobs/" + digest);
        assertThat(client.head("v2/target/app/blobs/" + digest).statusCode()).isEqualTo(200);
    }

    @Test
    void mount_fromRepositoryWithoutBlob_startsUpload() {
        String digest = client.pushBlob("source/app", randomBytes(500, 14));

        HttpResponse<byte[]> response = client.send("POST", "v2/target/app/blobs/uploads/?mount=" + digest + "&from=other/app", null);

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(header(response, "Docker-Upload-UUID")).isNotNull();
        assertThat(client.head("v2/target/app/blobs/" + digest).statusCode()).isEqualTo(404);
    }

    // ---- manifests ----

    @Test
    void manifestPut_byTag_thenGetByTagAndDigest_returnsSameBytes() throws IOException {
        Image image = prepareImage("app", 20);

        HttpResponse<byte[]> put = client.putManifest("app", "v1", MediaTypes.OCI_MANIFEST, image.manifest());

        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(header(put, "Docker-Content-Digest")).isEqualTo(image.digest());
        assertThat(header(put, "Location")).endsWith("/v2/app/manifests/" + image.digest());
        for (String reference : List.of("v1", image.digest())) {
            HttpResponse<byte[]> get = client.get("v2/app/manifests/" + reference, "Accept", MediaTypes.OCI_MANIFEST);
            assertThat(get.statusCode()).isEqualTo(200);
            assertThat(get.body()).isEqualTo(image.manifest());
            assertThat(header(get, "Content-Type")).isEqualTo(MediaTypes.OCI_MANIFEST);
            assertThat(header(get, "Docker-Content-Digest")).isEqualTo(image.digest());
        }
        HttpResponse<byte[]> head = client.head("v2/app/manifests/v1");
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(header(head, "Content-Length")).isEqualTo(String.valueOf(image.manifest().length));
    }

    @Test
    void manifestPut_byDigest_storesWithoutTag() throws IOException {
        Image image = prepareImage("app", 21);

        HttpResponse<byte[]> put = client.putManifest("app", image.digest(), MediaTypes.OCI_MANIFEST, image.manifest());

        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(client.get("v2/app/manifests/" + image.digest()).statusCode()).isEqualTo(200);
        assertThat(okJson(client.get("v2/app/tags/list")).path("tags")).isEmpty();
    }

    @Test
    void manifestPut_dockerSchema2_servesDockerType() {
        byte[] config = "{\"architecture\":\"arm64\"}".getBytes(StandardCharsets.UTF_8);
        byte[] layer = randomBytes(300, 22);
        String configDigest = client.pushBlob("app", config);
        String layerDigest = client.pushBlob("app", layer);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST + "\",\"config\":{\"mediaType\":"
                + "\"application/vnd.docker.container.image.v1+json\",\"size\":" + config.length + ",\"digest\":\"" + configDigest
                + "\"},\"layers\":[{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\",\"size\":" + layer.length
                + ",\"digest\":\"" + layerDigest + "\"}]}").getBytes(StandardCharsets.UTF_8);

        HttpResponse<byte[]> put = client.putManifest("app", "docker", MediaTypes.DOCKER_MANIFEST, manifest);
        HttpResponse<byte[]> get = client.get("v2/app/manifests/docker", "Accept", MediaTypes.DOCKER_MANIFEST);

        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(header(get, "Content-Type")).isEqualTo(MediaTypes.DOCKER_MANIFEST);
        assertThat(get.body()).isEqualTo(manifest);
    }

    @Test
    void manifestPut_index_requiresChildren() throws IOException {
        Image amd64 = pushImage("multi", "amd64", 23);
        Image arm64 = prepareImage("multi", 24);
        byte[] index = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":["
                + "{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + amd64.digest() + "\",\"size\":" + amd64.manifest().length
                + ",\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}},"
                + "{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + arm64.digest() + "\",\"size\":" + arm64.manifest().length
                + ",\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\"}}]}").getBytes(StandardCharsets.UTF_8);
        var before = storageSnapshot();

        HttpResponse<byte[]> missingChild = client.putManifest("multi", "latest", MediaTypes.OCI_INDEX, index);

        assertThat(missingChild.statusCode()).isEqualTo(400);
        assertThat(errorCode(missingChild)).isEqualTo("MANIFEST_BLOB_UNKNOWN");
        assertThat(errorMessage(missingChild)).contains(arm64.digest());
        assertThat(storageSnapshot()).isEqualTo(before);

        assertThat(client.putManifest("multi", arm64.digest(), MediaTypes.OCI_MANIFEST, arm64.manifest()).statusCode()).isEqualTo(201);
        HttpResponse<byte[]> put = client.putManifest("multi", "latest", MediaTypes.OCI_INDEX, index);
        assertThat(put.statusCode()).isEqualTo(201);
        HttpResponse<byte[]> get = client.get("v2/multi/manifests/latest", "Accept", MediaTypes.OCI_INDEX);
        assertThat(header(get, "Content-Type")).isEqualTo(MediaTypes.OCI_INDEX);
        assertThat(get.body()).isEqualTo(index);
    }

    @Test
    void manifestPut_missingBlob_rejectsWithDigestAndStoresNothing() throws IOException {
        String configDigest = client.pushBlob("app", "{}".getBytes(StandardCharsets.UTF_8));
        String missing = RegistryClient.sha256("never pushed".getBytes(StandardCharsets.UTF_8));
        byte[] manifest = ociManifest(configDigest, 2, missing, 12, null, null);
        var before = storageSnapshot();

        HttpResponse<byte[]> response = client.putManifest("app", "broken", MediaTypes.OCI_MANIFEST, manifest);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(errorCode(response)).isEqualTo("MANIFEST_BLOB_UNKNOWN");
        assertThat(errorMessage(response)).contains(missing);
        assertThat(json(response).path("errors").path(0).path("detail").path("digest").asText()).isEqualTo(missing);
        assertThat(storageSnapshot()).isEqualTo(before);
        assertThat(client.get("v2/app/manifests/broken").statusCode()).isEqualTo(404);
    }

    @Test
    void manifestPut_blobOfOtherRepository_rejected() throws IOException {
        Image image = prepareImage("one", 25);

        HttpResponse<byte[]> response = client.putManifest("two", "v1", MediaTypes.OCI_MANIFEST, image.manifest());

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(errorCode(response)).isEqualTo("MANIFEST_BLOB_UNKNOWN");
    }

    @Test
    void manifestPut_oversize_returns413() throws Exception {
        var base = TestConfigs.config(driver(tempDir.resolve("small")), true);
        var http = base.http();
        restart(new RegistryConfig(base.version(), base.log(), base.storage(), new io.entrepot.config.HttpConfig(http.addr(), http.net(),
                http.prefix(), http.host(), http.relativeUrls(), http.headers(), http.drainTimeout(), http.debugAddr(), 1024)));
        Image image = prepareImage("app", 26);
        byte[] padded = new String(image.manifest(), StandardCharsets.UTF_8)
                .replace("\"annotations\":{", "\"annotations\":{\"pad\":\"" + "x".repeat(2000) + "\",").getBytes(StandardCharsets.UTF_8);
        var before = storageSnapshot();

        HttpResponse<byte[]> response = client.putManifest("app", "big", MediaTypes.OCI_MANIFEST, padded);

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(errorCode(response)).isEqualTo("MANIFEST_INVALID");
        assertThat(errorMessage(response)).contains("1024");
        assertThat(storageSnapshot()).isEqualTo(before);
    }

    @Test
    void manifestPut_wrongContentType_rejected() throws IOException {
        Image image = prepareImage("app", 27);
        var before = storageSnapshot();

        HttpResponse<byte[]> unknown = client.putManifest("app", "v1", "text/plain", image.manifest());
        HttpResponse<byte[]> mismatch = client.putManifest("app", "v1", MediaTypes.DOCKER_MANIFEST, image.manifest());

        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(errorCode(unknown)).isEqualTo("MANIFEST_INVALID");
        assertThat(errorMessage(unknown)).contains("text/plain");
        assertThat(mismatch.statusCode()).isEqualTo(400);
        assertThat(errorCode(mismatch)).isEqualTo("MANIFEST_INVALID");
        assertThat(errorMessage(mismatch)).contains(MediaTypes.DOCKER_MANIFEST);
        assertThat(storageSnapshot()).isEqualTo(before);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "not json",
        "[]",
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}",
        "{\"schemaVersion\":3,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{}}",
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"x\",\"size\":-1,\"digest\":\"sha256:abc\"}}",
        "{\"schemaVersion\":1,\"name\":\"app\",\"tag\":\"v1\",\"fsLayers\":[]}"
    })
    void manifestPut_malformed_returnsManifestInvalid(String body) throws IOException {
        var before = storageSnapshot();

        HttpResponse<byte[]> response = client.putManifest("app", "bad", MediaTypes.OCI_MANIFEST.equals("") ? null : "application/json",
                body.getBytes(StandardCharsets.UTF_8));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(errorCode(response)).isEqualTo("MANIFEST_INVALID");
        assertThat(storageSnapshot()).isEqualTo(before);
    }

    @Test
    void manifestPut_schema1ContentType_rejectedWithReason() throws IOException {
        HttpResponse<byte[]> response = client.putManifest("app", "old", MediaTypes.DOCKER_SCHEMA1_SIGNED,
                "{\"schemaVersion\":1}".getBytes(StandardCharsets.UTF_8));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(errorCode(response)).isEqualTo("MANIFEST_INVALID");
        assertThat(errorMessage(response)).contains("schema 1");
    }

    @Test
    void manifestPut_digestMismatch_returnsDigestInvalid() throws IOException {
        Image image = prepareImage("app", 28);
        String other = RegistryClient.sha256("x".getBytes(StandardCharsets.UTF_8));
        var before = storageSnapshot();

        HttpResponse<byte[]> response = client.putManifest("app", other, MediaTypes.OCI_MANIFEST, image.manifest());

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(errorCode(response)).isEqualTo("DIGEST_INVALID");
        assertThat(errorMessage(response)).contains(other).contains(image.digest());
        assertThat(storageSnapshot()).isEqualTo(before);
    }

    @Test
    void manifestGet_unknown_returnsManifestUnknown() throws IOException {
        pushImage("app", "v1", 29);

        HttpResponse<byte[]> byTag = client.get("v2/app/manifests/v2");
        HttpResponse<byte[]> byDigest = client.get("v2/app/manifests/" + RegistryClient.sha256(new byte[1]));

        assertThat(byTag.statusCode()).isEqualTo(404);
        assertThat(errorCode(byTag)).isEqualTo("MANIFEST_UNKNOWN");
        assertThat(byDigest.statusCode()).isEqualTo(404);
        assertThat(errorCode(byDigest)).isEqualTo("MANIFEST_UNKNOWN");
    }

    @Test
    void manifestGet_ociWithDockerOnlyAccept_returns404() throws IOException {
        pushImage("app", "v1", 30);

        HttpResponse<byte[]> response = client.get("v2/app/manifests/v1", "Accept", MediaTypes.DOCKER_MANIFEST);

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(errorCode(response)).isEqualTo("MANIFEST_UNKNOWN");
        assertThat(errorMessage(response)).contains("Accept");
        assertThat(client.get("v2/app/manifests/v1", "Accept", "*/*").statusCode()).isEqualTo(200);
        assertThat(client.get("v2/app/manifests/v1", "Accept", MediaTypes.DOCKER_MANIFEST + ", " + MediaTypes.OCI_MANIFEST).statusCode()).isEqualTo(200);
    }

    @Test
    void manifestDelete_byTag_removesOnlyTag() throws IOException {
        Image image = pushImage("app", "v1", 31);
        client.putManifest("app", "v2", MediaTypes.OCI_MANIFEST, image.manifest());

        HttpResponse<byte[]> response = client.delete("v2/app/manifests/v1");

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(client.get("v2/app/manifests/v1").statusCode()).isEqualTo(404);
        assertThat(client.get("v2/app/manifests/v2").statusCode()).isEqualTo(200);
        assertThat(client.get("v2/app/manifests/" + image.digest()).statusCode()).isEqualTo(200);
    }

    @Test
    void manifestDelete_byDigest_removesManifestAndItsTags() throws IOException {
        Image image = pushImage("app", "v1", 32);
        client.putManifest("app", "v2", MediaTypes.OCI_MANIFEST, image.manifest());
        Image other = pushImage("app", "other", 33);

        HttpResponse<byte[]> response = client.delete("v2/app/manifests/" + image.digest());

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(client.get("v2/app/manifests/" + image.digest()).statusCode()).isEqualTo(404);
        assertThat(client.get("v2/app/manifests/v1").statusCode()).isEqualTo(404);
        assertThat(client.get("v2/app/manifests/v2").statusCode()).isEqualTo(404);
        assertThat(client.get("v2/app/manifests/other").statusCode()).isEqualTo(200);
        assertThat(okJson(client.get("v2/app/tags/list")).path("tags").toString()).isEqualTo("[\"other\"]");
        assertThat(errorCode(client.delete("v2/app/manifests/" + image.digest()))).isEqualTo("MANIFEST_UNKNOWN");
        assertThat(other.digest()).isNotEqualTo(image.digest());
    }

    @Test
    void manifestDelete_whenDisabled_returnsUnsupported() throws Exception {
        restart(TestConfigs.config(driver(tempDir.resolve("nodelete")), false));
        pushImage("app", "v1", 34);
        var before = storageSnapshot();

        HttpResponse<byte[]> response = client.delete("v2/app/manifests/v1");

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(errorCode(response)).isEqualTo("UNSUPPORTED");
        assertThat(storageSnapshot()).isEqualTo(before);
    }

    // ---- artifacts and referrers ----

    @Test
    void artifact_withSubject_isListedAsReferrer() throws IOException {
        Image image = pushImage("app", "v1", 40);
        byte[] emptyConfig = "{}".getBytes(StandardCharsets.UTF_8);
        String emptyDigest = client.pushBlob("app", emptyConfig);
        String signatureDigest = client.pushBlob("app", "signature".getBytes(StandardCharsets.UTF_8));
        String subject = "{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + image.digest() + "\",\"size\":" + image.manifest().length + "}";
        byte[] sbom = ociManifest(emptyDigest, 2, signatureDigest, 9, "application/spdx+json", subject);
        byte[] signature = ociManifest(emptyDigest, 2, signatureDigest, 9, "application/vnd.dev.sigstore.bundle+json", subject);

        HttpResponse<byte[]> put = client.putManifest("app", RegistryClient.sha256(sbom), MediaTypes.OCI_MANIFEST, sbom);
        client.putManifest("app", RegistryClient.sha256(signature), MediaTypes.OCI_MANIFEST, signature);

        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(header(put, "OCI-Subject")).isEqualTo(image.digest());
        HttpResponse<byte[]> all = client.get("v2/app/referrers/" + image.digest());
        assertThat(all.statusCode()).isEqualTo(200);
        assertThat(header(all, "Content-Type")).isEqualTo(MediaTypes.OCI_INDEX);
        JsonNode manifests = json(all).path("manifests");
        assertThat(manifests).hasSize(2);
        List<String> types = new ArrayList<>();
        manifests.forEach(entry -> types.add(entry.path("artifactType").asText()));
        assertThat(types).containsExactlyInAnyOrder("application/spdx+json", "application/vnd.dev.sigstore.bundle+json");

        HttpResponse<byte[]> filtered = client.get("v2/app/referrers/" + image.digest() + "?artifactType=application/spdx%2Bjson");
        assertThat(header(filtered, "OCI-Filters-Applied")).isEqualTo("artifactType");
        assertThat(json(filtered).path("manifests")).hasSize(1);
        assertThat(json(filtered).path("manifests").path(0).path("digest").asText()).isEqualTo(RegistryClient.sha256(sbom));
        assertThat(json(filtered).path("manifests").path(0).path("size").asLong()).isEqualTo(sbom.length);

        client.delete("v2/app/manifests/" + RegistryClient.sha256(sbom));
        assertThat(okJson(client.get("v2/app/referrers/" + image.digest())).path("manifests")).hasSize(1);
    }

    @Test
    void referrers_none_returnsEmptyIndex() throws IOException {
        HttpResponse<byte[]> response = client.get("v2/app/referrers/" + RegistryClient.sha256(new byte[3]));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).path("schemaVersion").asInt()).isEqualTo(2);
        assertThat(json(response).path("mediaType").asText()).isEqualTo(MediaTypes.OCI_INDEX);
        assertThat(json(response).path("manifests")).isEmpty();
    }

    @Test
    void artifact_withoutLayersAndCustomConfig_accepted() throws IOException {
        String configDigest = client.pushBlob("app", "{\"tool\":\"x\"}".getBytes(StandardCharsets.UTF_8));
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"artifactType\":\"application/vnd.example.thing\","
                + "\"config\":{\"mediaType\":\"application/vnd.example.config+json\",\"digest\":\"" + configDigest + "\",\"size\":12},"
                + "\"layers\":[]}").getBytes(StandardCharsets.UTF_8);

        HttpResponse<byte[]> put = client.putManifest("app", "artifact", MediaTypes.OCI_MANIFEST, manifest);

        assertThat(put.statusCode()).as(new String(put.body())).isEqualTo(201);
        assertThat(client.get("v2/app/manifests/artifact").body()).isEqualTo(manifest);
    }

    // ---- tags and catalog ----

    @Test
    void tagsList_isLexicalAndPaginated() throws IOException {
        Image image = pushImage("app", "b", 50);
        for (String tag : List.of("a", "c", "latest", "1.0", "B")) {
            client.putManifest("app", tag, MediaTypes.OCI_MANIFEST, image.manifest());
        }

        JsonNode all = okJson(client.get("v2/app/tags/list"));
        HttpResponse<byte[]> firstPage = client.get("v2/app/tags/list?n=2");
        HttpResponse<byte[]> secondPage = client.get("v2/app/tags/list?n=2&last=B");
        HttpResponse<byte[]> lastPage = client.get("v2/app/tags/list?n=2&last=b");

        assertThat(all.path("name").asText()).isEqualTo("app");
        assertThat(all.path("tags").toString()).isEqualTo("[\"1.0\",\"B\",\"a\",\"b\",\"c\",\"latest\"]");
        assertThat(json(firstPage).path("tags").toString()).isEqualTo("[\"1.0\",\"B\"]");
        assertThat(header(firstPage, "Link")).isEqualTo("</v2/app/tags/list?n=2&last=B>; rel=\"next\"");
        assertThat(json(secondPage).path("tags").toString()).isEqualTo("[\"a\",\"b\"]");
        assertThat(json(lastPage).path("tags").toString()).isEqualTo("[\"c\",\"latest\"]");
        assertThat(header(lastPage, "Link")).isNull();
    }

    @Test
    void listings_pageSizeZero_returnEmptyPages() throws IOException {
        pushImage("app", "v1", 52);

        HttpResponse<byte[]> tags = client.get("v2/app/tags/list?n=0");
        HttpResponse<byte[]> catalog = client.get("v2/_catalog?n=0");

        assertThat(tags.statusCode()).isEqualTo(200);
        assertThat(json(tags).path("tags").isArray()).isTrue();
        assertThat(json(tags).path("tags")).isEmpty();
        assertThat(header(tags, "Link")).isNull();
        assertThat(catalog.statusCode()).isEqualTo(200);
        assertThat(json(catalog).path("repositories").isArray()).isTrue();
        assertThat(json(catalog).path("repositories")).isEmpty();
        assertThat(header(catalog, "Link")).isNull();
    }

    @Test
    void tagsList_unknownRepository_returnsNameUnknown() throws IOException {
        HttpResponse<byte[]> response = client.get("v2/nothing/here/tags/list");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(errorCode(response)).isEqualTo("NAME_UNKNOWN");
        assertThat(errorMessage(response)).contains("nothing/here");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "abc", "1.5", "99999999999"})
    void tagsList_badPageSize_returns400(String n) throws IOException {
        pushImage("app", "v1", 51);

        HttpResponse<byte[]> response = client.get("v2/app/tags/list?n=" + n);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(errorCode(response)).isEqualTo("PAGINATION_NUMBER_INVALID");
        assertThat(errorMessage(response)).contains(n);
    }

    @Test
    void catalog_isLexicalAndPaginated() throws IOException {
        for (String repository : List.of("zeta", "alpha/one", "alpha-two", "beta/deep/name")) {
            pushImage(repository, "v1", repository.hashCode());
        }

        JsonNode all = okJson(client.get("v2/_catalog"));
        HttpResponse<byte[]> firstPage = client.get("v2/_catalog?n=2");
        HttpResponse<byte[]> secondPage = client.get("v2/_catalog?n=2&last=alpha/one");

        assertThat(all.path("repositories").toString()).isEqualTo("[\"alpha-two\",\"alpha/one\",\"beta/deep/name\",\"zeta\"]");
        assertThat(json(firstPage).path("repositories").toString()).isEqualTo("[\"alpha-two\",\"alpha/one\"]");
        assertThat(header(firstPage, "Link")).isEqualTo("</v2/_catalog?n=2&last=alpha%2Fone>; rel=\"next\"");
        assertThat(json(secondPage).path("repositories").toString()).isEqualTo("[\"beta/deep/name\",\"zeta\"]");
        assertThat(header(secondPage, "Link")).isNull();
    }

    // ---- bad input ----

    @ParameterizedTest
    @ValueSource(strings = {"Upper/case", "a/../b", "a/./b", "a//b", "/a", "-lead", "trail-", "a__b__", "a/%2e%2e/b", "a%2Fb", "a/b/"})
    void invalidName_returnsNameInvalidAndStoresNothing(String name) throws IOException {
        var before = storageSnapshot();
        byte[] content = "x".getBytes(StandardCharsets.UTF_8);

        for (String[] request : List.of(
                new String[] {"POST", "/v2/" + name + "/blobs/uploads/?digest=" + RegistryClient.sha256(content)},
                new String[] {"POST", "/v2/" + name + "/blobs/uploads/"},
                new String[] {"GET", "/v2/" + name + "/tags/list"},
                new String[] {"PUT", "/v2/" + name + "/manifests/v1"})) {
            RawHttp.Response response = RawHttp.send(server.port(), request[0], request[1], content);

            assertThat(response.status()).as(request[0] + " " + request[1]).isEqualTo(400);
            JsonNode error = JSON.readTree(response.body()).path("errors").path(0);
            assertThat(error.path("code").asText()).as(request[1]).isEqualTo("NAME_INVALID");
            assertThat(error.path("message").asText()).contains(name.replaceAll("/$", ""));
        }
        assertThat(storageSnapshot()).isEqualTo(before);
    }

    @Test
    void nameOf256Characters_returnsNameInvalid() throws IOException {
        String name = "a".repeat(120) + "/" + "b".repeat(135);
        var before = storageSnapshot();

        HttpResponse<byte[]> response = client.send("POST", "v2/" + name + "/blobs/uploads/", null);

        assertThat(name).hasSize(256);
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(errorCode(response)).isEqualTo("NAME_INVALID");
        assertThat(errorMessage(response)).contains("255");
        assertThat(storageSnapshot()).isEqualTo(before);
    }

    @Test
    void nameOf255Characters_isAccepted() {
        String name = "a".repeat(120) + "/" + "b".repeat(134);

        HttpResponse<byte[]> response = client.send("POST", "v2/" + name + "/blobs/uploads/", null);

        assertThat(response.statusCode()).isEqualTo(202);
    }

    static List<String> invalidDigests() {
        return List.of(
                "sha256:abc",
                "sha256:" + "A".repeat(64),
                "sha256:" + "g".repeat(64),
                "md5:" + "a".repeat(32),
                "sha512:" + "a".repeat(64),
                "sha256" + "a".repeat(64),
                "sha256:" + "a".repeat(65));
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("invalidDigests")
    void invalidDigest_returnsDigestInvalidAndStoresNothing(String digest) throws IOException {
        var before = storageSnapshot();

        List<HttpResponse<byte[]>> responses = new ArrayList<>(List.of(
                client.get("v2/app/blobs/" + digest),
                client.send("POST", "v2/app/blobs/uploads/?digest=" + digest, new byte[4]),
                client.get("v2/app/referrers/" + digest)));
        if (digest.contains(":")) {
            // Without a colon the manifest reference is a tag, and a valid one.
            responses.add(client.get("v2/app/manifests/" + digest));
        }
        for (HttpResponse<byte[]> response : responses) {
            assertThat(response.statusCode()).as(digest).isEqualTo(400);
            assertThat(errorCode(response)).isEqualTo("DIGEST_INVALID");
            assertThat(errorMessage(response)).contains(digest);
        }
        assertThat(storageSnapshot()).isEqualTo(before);
    }

    @Test
    void sha512Digest_isAcceptedForBlobs() {
        byte[] content = randomBytes(3000, 60);
        String digest;
        try {
            digest = "sha512:" + java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-512").digest(content));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }

        HttpResponse<byte[]> put = client.send("POST", "v2/app/blobs/uploads/?digest=" + digest, content);

        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(client.get("v2/app/blobs/" + digest).body()).isEqualTo(content);
    }

    static List<String> invalidTags() {
        return List.of(".dot", "-dash", "has%20space", "x".repeat(129));
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("invalidTags")
    void invalidTag_returnsTagInvalid(String tag) throws IOException {
        Image image = prepareImage("app", 61);
        var before = storageSnapshot();

        HttpResponse<byte[]> response = client.putManifest("app", tag, MediaTypes.OCI_MANIFEST, image.manifest());

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(errorCode(response)).isEqualTo("TAG_INVALID");
        assertThat(storageSnapshot()).isEqualTo(before);
    }

    @Test
    void wrongMethod_returnsUnsupportedWithAllow() throws IOException {
        HttpResponse<byte[]> response = client.send("POST", "v2/_catalog", null);

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(errorCode(response)).isEqualTo("UNSUPPORTED");
        assertThat(header(response, "Allow")).isEqualTo("GET");
    }

    // ---- modes ----

    @Test
    void readOnly_rejectsWritesAndServesReads() throws IOException {
        Image image = pushImage("app", "v1", 70);
        server.setReadOnly(true);
        var before = storageSnapshot();

        HttpResponse<byte[]> post = client.send("POST", "v2/app/blobs/uploads/", null);
        HttpResponse<byte[]> put = client.putManifest("app", "v2", MediaTypes.OCI_MANIFEST, image.manifest());
        HttpResponse<byte[]> get = client.get("v2/app/manifests/v1");

        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(errorCode(post)).isEqualTo("UNSUPPORTED");
        assertThat(errorMessage(post)).contains("read-only");
        assertThat(put.statusCode()).isEqualTo(405);
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(storageSnapshot()).isEqualTo(before);
    }

    @Test
    void prefixAndHost_shapeLocationHeaders() throws Exception {
        restart(TestConfigs.withHttp(driver(tempDir.resolve("prefixed")), true,
                TestConfigs.http("/registry/", "https://registry.example.test", false)));

        HttpResponse<byte[]> base = client.get("v2/");
        HttpResponse<byte[]> post = client.send("POST", "v2/app/blobs/uploads/", null);

        assertThat(server.baseUri().getPath()).isEqualTo("/registry/");
        assertThat(base.statusCode()).isEqualTo(200);
        assertThat(header(post, "Location")).startsWith("https://registry.example.test/registry/v2/app/blobs/uploads/");
        assertThat(new RegistryClient(java.net.URI.create("http://127.0.0.1:" + server.port() + "/")).get("v2/").statusCode()).isEqualTo(404);
    }

    @Test
    void relativeUrls_makeLocationRelative() throws Exception {
        restart(TestConfigs.withHttp(driver(tempDir.resolve("relative")), true, TestConfigs.http("/", null, true)));

        HttpResponse<byte[]> post = client.send("POST", "v2/app/blobs/uploads/", null);

        assertThat(header(post, "Location")).startsWith("/v2/app/blobs/uploads/");
    }
}
