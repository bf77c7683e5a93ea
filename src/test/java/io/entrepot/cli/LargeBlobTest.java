package io.entrepot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrepot.testing.PseudoRandomStream;
import io.entrepot.testing.ServerProcess;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pushes and pulls a 1 GiB blob through a server process limited to a 128 MiB heap, which only
 * works when every path streams. The content comes from a seeded generator, so neither side
 * keeps it in memory.
 */
@Tag("slow")
class LargeBlobTest {

    private static final long SIZE = 1L << 30;
    private static final int CHUNKS = 8;
    private static final int MIB = 1024 * 1024;
    private static final long SEED = 20_240_601L;
    private static final String REPOSITORY = "big";

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void oneGibibyteBlob_smallHeap_streams() throws Exception {
        int port = ServerProcess.freePort();
        Path root = dir.resolve("root");
        Path config = dir.resolve("config.yml");
        Files.writeString(config, """
                version: 0.1
                log: {level: info, formatter: text}
                storage:
                  filesystem: {rootdirectory: %s}
                http: {addr: 127.0.0.1:%d}
                """.formatted(root, port));

        try (ServerProcess server = ServerProcess.entrepot("serve", config.toString())
                .jvmOptions("-Xmx128m")
                .port(port)
                .output(dir.resolve("server.log"))
                .startAndAwaitReady()) {
            long start = System.nanoTime();
            String digest = uploadInChunks(server);
            report("chunked upload of 1 GiB", start);

            start = System.nanoTime();
            uploadWhole(server, digest);
            report("monolithic upload of 1 GiB", start);

            start = System.nanoTime();
            downloadAndVerify(server, digest);
            report("download of 1 GiB", start);

            start = System.nanoTime();
            downloadLastMebibyte(server, digest);
            report("range download of the last MiB", start);

            assertThat(server.isAlive()).as("server alive; output:\n%s", server.output()).isTrue();
            assertThat(server.output()).doesNotContain("OutOfMemoryError");
            assertThat(blobDataFiles(root)).as("both uploads share one blob").hasSize(1);
            assertThat(uploadDataFiles(root)).as("upload state removed after completion").isEmpty();
        }
    }

    /** PATCHes the content in {@value #CHUNKS} ranges, then completes with PUT, and returns the digest. */
    private String uploadInChunks(ServerProcess server) throws IOException, InterruptedException {
        HttpResponse<String> started = send(HttpRequest.newBuilder(server.baseUri().resolve("v2/" + REPOSITORY + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(started.statusCode()).as("POST upload: %s", started.body()).isEqualTo(202);
        URI location = server.baseUri().resolve(started.headers().firstValue("Location").orElseThrow());

        MessageDigest sha256 = sha256();
        InputStream content = new DigestInputStream(new PseudoRandomStream(SEED, SIZE), sha256);
        long chunkSize = SIZE / CHUNKS;
        for (int i = 0; i < CHUNKS; i++) {
            long first = i * chunkSize;
            long last = first + chunkSize - 1;
            InputStream chunk = new BoundedInputStream(content, chunkSize);
            HttpResponse<String> patched = send(HttpRequest.newBuilder(location)
                    .method("PATCH", streaming(chunk, chunkSize))
                    .header("Content-Type", "application/octet-stream")
                    .header("Content-Range", first + "-" + last));
            assertThat(patched.statusCode()).as("PATCH %d-%d: %s", first, last, patched.body()).isEqualTo(202);
            assertThat(patched.headers().firstValue("Range")).as("PATCH %d-%d", first, last).hasValue("0-" + last);
            location = server.baseUri().resolve(patched.headers().firstValue("Location").orElseThrow());
        }
        String digest = "sha256:" + HexFormat.of().formatHex(sha256.digest());

        String separator = location.getQuery() == null ? "?" : "&";
        HttpResponse<String> completed = send(HttpRequest.newBuilder(URI.create(location + separator + "digest=" + digest))
                .PUT(HttpRequest.BodyPublishers.noBody()));
        assertThat(completed.statusCode()).as("PUT complete: %s", completed.body()).isEqualTo(201);
        assertThat(completed.headers().firstValue("Docker-Content-Digest")).hasValue(digest);
        return digest;
    }

    /** Sends the same content again with {@code POST ?digest=}, hashing it while it is sent. */
    private void uploadWhole(ServerProcess server, String digest) throws IOException, InterruptedException {
        MessageDigest sha256 = sha256();
        InputStream content = new DigestInputStream(new PseudoRandomStream(SEED, SIZE), sha256);
        HttpResponse<String> response = send(HttpRequest.newBuilder(server.baseUri().resolve("v2/" + REPOSITORY + "/blobs/uploads/?digest=" + digest))
                .POST(streaming(content, SIZE))
                .header("Content-Type", "application/octet-stream"));

        assertThat(response.statusCode()).as("monolithic POST: %s", response.body()).isEqualTo(201);
        assertThat("sha256:" + HexFormat.of().formatHex(sha256.digest())).as("digest of the bytes sent").isEqualTo(digest);
    }

    private void downloadAndVerify(ServerProcess server, String digest) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(server.baseUri().resolve("v2/" + REPOSITORY + "/blobs/" + digest)).build();
        HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValueAsLong("Content-Length")).hasValue(SIZE);
        MessageDigest sha256 = sha256();
        long received = 0;
        try (InputStream body = response.body()) {
            byte[] buffer = new byte[MIB];
            for (int read; (read = body.read(buffer)) > 0; ) {
                sha256.update(buffer, 0, read);
                received += read;
            }
        }
        assertThat(received).as("bytes received").isEqualTo(SIZE);
        assertThat("sha256:" + HexFormat.of().formatHex(sha256.digest())).as("digest of the bytes received").isEqualTo(digest);
    }

    private void downloadLastMebibyte(ServerProcess server, String digest) throws IOException, InterruptedException {
        long first = SIZE - MIB;
        HttpRequest request = HttpRequest.newBuilder(server.baseUri().resolve("v2/" + REPOSITORY + "/blobs/" + digest))
                .header("Range", "bytes=" + first + "-" + (SIZE - 1))
                .build();
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());

        assertThat(response.statusCode()).isEqualTo(206);
        assertThat(response.headers().firstValue("Content-Range")).hasValue("bytes " + first + "-" + (SIZE - 1) + "/" + SIZE);
        byte[] expected;
        try (InputStream content = new PseudoRandomStream(SEED, SIZE)) {
            assertThat(content.skip(first)).isEqualTo(first);
            expected = content.readAllBytes();
        }
        assertThat(response.body()).hasSize(MIB);
        assertThat(Arrays.equals(response.body(), expected)).as("last MiB matches the generated content").isTrue();
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Returns a publisher that reads {@code body} as it sends, with a declared Content-Length. */
    private static HttpRequest.BodyPublisher streaming(InputStream body, long length) {
        return HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> body), length);
    }

    private static List<Path> blobDataFiles(Path root) throws IOException {
        return dataFilesUnder(root.resolve("docker/registry/v2/blobs"));
    }

    private static List<Path> uploadDataFiles(Path root) throws IOException {
        Path repositories = root.resolve("docker/registry/v2/repositories/" + REPOSITORY + "/_uploads");
        return Files.exists(repositories) ? dataFilesUnder(repositories) : List.of();
    }

    private static List<Path> dataFilesUnder(Path directory) throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            return files.filter(file -> file.getFileName().toString().equals("data")).toList();
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void report(String phase, long startNanos) {
        long millis = (System.nanoTime() - startNanos) / 1_000_000;
        System.out.printf("LargeBlobTest: %s took %d ms%n", phase, millis);
    }

    /** Reads at most {@code limit} bytes of {@code source} and leaves the source open for the next chunk. */
    private static final class BoundedInputStream extends InputStream {

        private final InputStream source;
        private long remaining;

        BoundedInputStream(InputStream source, long limit) {
            this.source = source;
            this.remaining = limit;
        }

        @Override
        public int read() throws IOException {
            if (remaining == 0) {
                return -1;
            }
            int value = source.read();
            if (value >= 0) {
                remaining--;
            }
            return value;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (remaining == 0) {
                return -1;
            }
            int read = source.read(buffer, offset, (int) Math.min(length, remaining));
            if (read > 0) {
                remaining -= read;
            }
            return read;
        }

        @Override
        public void close() {
            // the next chunk continues from the same source
        }
    }
}
