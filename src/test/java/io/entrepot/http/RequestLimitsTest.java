package io.entrepot.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrepot.config.AuditConfig;
import io.entrepot.config.AuthConfig;
import io.entrepot.config.RegistryConfig;
import io.entrepot.config.RequestLimits;
import io.entrepot.testing.RawHttp;
import io.entrepot.testing.RegistryClient;
import io.entrepot.testing.StorageSnapshot;
import io.entrepot.testing.TestConfigs;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCrypt;

/** The request limits of {@code http}: header size, blob size and open uploads per user. */
class RequestLimitsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BLOB = 1000;

    @TempDir
    Path dir;

    private RegistryServer server;
    private RegistryServer other;
    private RegistryClient client;

    @AfterEach
    void stop() throws Exception {
        for (RegistryServer running : new RegistryServer[] {server, other}) {
            if (running != null) {
                running.close();
            }
        }
    }

    @Test
    void defaultHeaderLimit_rejectsOversizeHeadersAndUri() throws Exception {
        start(RequestLimits.DEFAULT, AuthConfig.NONE);

        RawHttp.Response fits = RawHttp.send(server.port(), "GET", "/v2/", null, "X-Padding", "a".repeat(12 * 1024));
        RawHttp.Response header = RawHttp.send(server.port(), "GET", "/v2/", null, "X-Padding", "a".repeat(20 * 1024));
        RawHttp.Response manyHeaders = RawHttp.send(server.port(), "GET", "/v2/", null, manyHeaders(40, 512));
        RawHttp.Response uri = RawHttp.send(server.port(), "GET", "/v2/" + "a/".repeat(10 * 1024) + "tags/list", null);

        assertThat(fits.status()).as("12 KiB header, under the 16 KiB default").isEqualTo(200);
        assertThat(header.status()).as("one 20 KiB header").isEqualTo(431);
        assertThat(manyHeaders.status()).as("40 headers of 512 bytes").isEqualTo(431);
        assertThat(uri.status()).as("20 KiB request line").isEqualTo(414);
    }

    @Test
    void configuredHeaderLimit_replacesDefault() throws Exception {
        start(new RequestLimits(4096, 0, 0), AuthConfig.NONE);

        RawHttp.Response small = RawHttp.send(server.port(), "GET", "/v2/", null, "X-Padding", "a".repeat(2048));
        RawHttp.Response large = RawHttp.send(server.port(), "GET", "/v2/", null, "X-Padding", "a".repeat(6 * 1024));

        assertThat(small.status()).isEqualTo(200);
        assertThat(large.status()).isEqualTo(431);
    }

    @Test
    void wholeUpload_overBlobLimit_storesNothing() throws Exception {
        start(new RequestLimits(RequestLimits.DEFAULT_MAX_HEADER_BYTES, MAX_BLOB, 0), AuthConfig.NONE);
        byte[] large = bytes(MAX_BLOB + 1);
        String digest = RegistryClient.sha256(large);
        TreeMap<String, Long> before = storageSnapshot(server);

        HttpResponse<byte[]> declared = client.send("POST", "v2/app/blobs/uploads/?digest=" + digest, large,
                "Content-Type", "application/octet-stream");
        HttpResponse<byte[]> chunked = sendChunked("POST", "v2/app/blobs/uploads/?digest=" + digest, large);

        for (HttpResponse<byte[]> response : Arrays.asList(declared, chunked)) {
            assertThat(response.statusCode()).isEqualTo(413);
            assertThat(errorCode(response)).isEqualTo("SIZE_INVALID");
            assertThat(errorMessage(response)).contains("limit of 1000 bytes").contains("http.maxblobsize");
        }
        assertThat(errorMessage(declared)).contains("1001 bytes");
        assertThat(storageSnapshot(server)).isEqualTo(before);
        assertThat(client.head("v2/app/blobs/" + digest).statusCode()).isEqualTo(404);
    }

    @Test
    void blobAtLimit_isAccepted() throws Exception {
        start(new RequestLimits(RequestLimits.DEFAULT_MAX_HEADER_BYTES, MAX_BLOB, 0), AuthConfig.NONE);
        byte[] exact = bytes(MAX_BLOB);

        String whole = client.pushBlob("app", exact);
        String location = startUpload("app");
        HttpResponse<byte[]> patch = client.send("PATCH", location, Arrays.copyOf(exact, 600), "Content-Type", "application/octet-stream");
        HttpResponse<byte[]> put = sendChunked("PUT", withDigest(location(patch), whole), Arrays.copyOfRange(exact, 600, MAX_BLOB));

        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(client.head("v2/app/blobs/" + whole).statusCode()).isEqualTo(200);
    }

    @Test
    void patchOverBlobLimit_declared_keepsUploadUnchanged() throws Exception {
        start(new RequestLimits(RequestLimits.DEFAULT_MAX_HEADER_BYTES, MAX_BLOB, 0), AuthConfig.NONE);
        String location = startUpload("app");
        HttpResponse<byte[]> first = client.send("PATCH", location, bytes(600), "Content-Type", "application/octet-stream");
        TreeMap<String, Long> before = storageSnapshot(server);

        HttpResponse<byte[]> second = client.send("PATCH", location(first), bytes(600), "Content-Type", "application/octet-stream");

        assertThat(second.statusCode()).isEqualTo(413);
        assertThat(errorCode(second)).isEqualTo("SIZE_INVALID");
        assertThat(errorMessage(second)).contains("1200 bytes").contains("limit of 1000 bytes");
        assertThat(storageSnapshot(server)).isEqualTo(before);
        HttpResponse<byte[]> status = client.get(location(first));
        assertThat(status.statusCode()).isEqualTo(204);
        assertThat(status.headers().firstValue("Range")).hasValue("0-599");
    }

    @Test
    void patchOverBlobLimit_chunked_cancelsUpload() throws Exception {
        start(new RequestLimits(RequestLimits.DEFAULT_MAX_HEADER_BYTES, MAX_BLOB, 0), AuthConfig.NONE);
        TreeMap<String, Long> before = storageSnapshot(server);
        String location = startUpload("app");
        HttpResponse<byte[]> first = client.send("PATCH", location, bytes(600), "Content-Type", "application/octet-stream");

        HttpResponse<byte[]> second = sendChunked("PATCH", location(first), bytes(600));

        assertThat(second.statusCode()).isEqualTo(413);
        assertThat(errorCode(second)).isEqualTo("SIZE_INVALID");
        assertThat(client.get(location(first)).statusCode()).as("cancelled upload").isEqualTo(404);
        assertThat(storageSnapshot(server)).as("no upload state and no blob left").isEqualTo(before);
    }

    @Test
    void anonymousUploads_limitedPerAddress() throws Exception {
        start(new RequestLimits(RequestLimits.DEFAULT_MAX_HEADER_BYTES, 0, 2), AuthConfig.NONE);
        String first = startUpload("app");
        startUpload("other");
        TreeMap<String, Long> before = storageSnapshot(server);

        HttpResponse<byte[]> third = client.send("POST", "v2/app/blobs/uploads/", null);
        byte[] content = bytes(10);
        HttpResponse<byte[]> whole = client.send("POST", "v2/app/blobs/uploads/?digest=" + RegistryClient.sha256(content), content,
                "Content-Type", "application/octet-stream");

        assertThat(third.statusCode()).isEqualTo(429);
        assertThat(errorCode(third)).isEqualTo("TOOMANYREQUESTS");
        assertThat(errorMessage(third)).contains("address 127.0.0.1").contains("has 2 open upload sessions")
                .contains("http.maxuploadsperuser (2)");
        assertThat(whole.statusCode()).as("a one-request upload counts too").isEqualTo(429);
        assertThat(storageSnapshot(server)).isEqualTo(before);

        assertThat(client.delete(first).statusCode()).isEqualTo(204);
        assertThat(client.send("POST", "v2/app/blobs/uploads/", null).statusCode()).as("after a cancel").isEqualTo(202);
    }

    @Test
    void completedUpload_freesItsSlot() throws Exception {
        start(new RequestLimits(RequestLimits.DEFAULT_MAX_HEADER_BYTES, 0, 1), AuthConfig.NONE);
        byte[] content = bytes(10);
        String location = startUpload("app");
        assertThat(client.send("POST", "v2/app/blobs/uploads/", null).statusCode()).isEqualTo(429);

        HttpResponse<byte[]> put = client.send("PUT", withDigest(location, RegistryClient.sha256(content)), content,
                "Content-Type", "application/octet-stream");

        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(client.send("POST", "v2/app/blobs/uploads/", null).statusCode()).isEqualTo(202);
    }

    @Test
    void uploadEndedOnAnotherInstance_freesItsSlot() throws Exception {
        start(new RequestLimits(RequestLimits.DEFAULT_MAX_HEADER_BYTES, 0, 1), AuthConfig.NONE);
        other = RegistryServer.start(config(new RequestLimits(RequestLimits.DEFAULT_MAX_HEADER_BYTES, 0, 1), AuthConfig.NONE));
        RegistryClient otherClient = new RegistryClient(other.baseUri());
        String location = startUpload("app");
        assertThat(client.send("POST", "v2/app/blobs/uploads/", null).statusCode()).isEqualTo(429);

        String path = java.net.URI.create(location).getRawPath();
        assertThat(otherClient.delete(path).statusCode()).as("cancelled on the other instance").isEqualTo(204);

        assertThat(client.send("POST", "v2/app/blobs/uploads/", null).statusCode()).isEqualTo(202);
    }

    @Test
    void userUploads_limitedPerUser() throws Exception {
        String hash = BCrypt.hashpw("secret", BCrypt.gensalt(4));
        Path htpasswd = Files.writeString(dir.resolve("htpasswd"), "alice:" + hash + "\nbob:" + hash + "\n");
        start(new RequestLimits(RequestLimits.DEFAULT_MAX_HEADER_BYTES, 0, 1), new AuthConfig.Htpasswd("r", htpasswd));
        String alice = HtpasswdAuthTest.basic("alice", "secret");
        String bob = HtpasswdAuthTest.basic("bob", "secret");

        HttpResponse<byte[]> aliceFirst = client.send("POST", "v2/app/blobs/uploads/", null, "Authorization", alice);
        HttpResponse<byte[]> aliceSecond = client.send("POST", "v2/app/blobs/uploads/", null, "Authorization", alice);
        HttpResponse<byte[]> bobFirst = client.send("POST", "v2/app/blobs/uploads/", null, "Authorization", bob);

        assertThat(aliceFirst.statusCode()).isEqualTo(202);
        assertThat(aliceSecond.statusCode()).isEqualTo(429);
        assertThat(errorMessage(aliceSecond)).contains("user alice").contains("(1)");
        assertThat(bobFirst.statusCode()).as("another user from the same address").isEqualTo(202);
    }

    private void start(RequestLimits limits, AuthConfig auth) throws Exception {
        server = RegistryServer.start(config(limits, auth));
        client = new RegistryClient(server.baseUri());
    }

    private RegistryConfig config(RequestLimits limits, AuthConfig auth) {
        RegistryConfig base = TestConfigs.config(TestConfigs.filesystem(dir.resolve("storage")), true);
        return new RegistryConfig(base.version(), base.log(), base.storage(), base.http().withLimits(limits), auth, AuditConfig.DISABLED);
    }

    private String startUpload(String repository) {
        HttpResponse<byte[]> response = client.send("POST", "v2/" + repository + "/blobs/uploads/", null);
        assertThat(response.statusCode()).isEqualTo(202);
        return location(response);
    }

    private static String location(HttpResponse<byte[]> response) {
        return response.headers().firstValue("Location").orElseThrow();
    }

    private static String withDigest(String location, String digest) {
        return location + (location.contains("?") ? "&" : "?") + "digest=" + digest;
    }

    /** Sends {@code body} without Content-Length, in chunked transfer encoding. */
    private HttpResponse<byte[]> sendChunked(String method, String path, byte[] body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(client.resolve(path))
                .method(method, HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
                .header("Content-Type", "application/octet-stream")
                .build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String[] manyHeaders(int count, int size) {
        String[] headers = new String[count * 2];
        for (int i = 0; i < count; i++) {
            headers[2 * i] = "X-Padding-" + i;
            headers[2 * i + 1] = "a".repeat(size);
        }
        return headers;
    }

    private static byte[] bytes(int size) {
        byte[] content = new byte[size];
        for (int i = 0; i < size; i++) {
            content[i] = (byte) (i * 31 + 7);
        }
        return content;
    }

    static TreeMap<String, Long> storageSnapshot(RegistryServer server) throws IOException {
        return StorageSnapshot.of(server.storage());
    }

    private static String errorCode(HttpResponse<byte[]> response) throws IOException {
        return JSON.readTree(response.body()).path("errors").path(0).path("code").asText();
    }

    private static String errorMessage(HttpResponse<byte[]> response) throws IOException {
        return JSON.readTree(response.body()).path("errors").path(0).path("message").asText();
    }
}
