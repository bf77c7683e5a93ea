package io.entrepot.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * S3Proxy, an S3-compatible server in Java, running as a child process on a loopback port for the
 * tests of the S3 driver. It checks SigV4 signatures and supports multipart uploads,
 * UploadPartCopy, ListObjectsV2 pagination, DeleteObjects and presigned URLs, with its
 * {@code filesystem-nio2} backend in a temporary directory.
 *
 * <p>One server is started per test JVM, on first use, and stopped when the JVM exits; each test
 * takes a fresh bucket from {@link #newBucket}. The jar comes from the local Maven repository,
 * where the test-scoped dependency {@code org.gaul:s3proxy:jar-with-dependencies} puts it. When
 * it is missing the tests are skipped, or fail with {@code -Dentrepot.requireExternal=true}.
 */
public final class S3ProxyServer {

    public static final String ACCESS_KEY = "entrepot-test";
    public static final String SECRET_KEY = "entrepot-test-secret-key";
    public static final String REGION = "us-east-1";

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    private static final AtomicInteger BUCKETS = new AtomicInteger();
    private static S3ProxyServer shared;

    private final Process process;
    private final int port;
    private final Path directory;
    private final S3Client admin;

    private S3ProxyServer(Process process, int port, Path directory) {
        this.process = process;
        this.port = port;
        this.directory = directory;
        this.admin = S3Client.builder()
                .region(Region.of(REGION))
                .endpointOverride(endpoint())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .httpClient(ApacheHttpClient.create())
                .forcePathStyle(true)
                .build();
    }

    /** Returns the server shared by the tests of this JVM, starting it on first use. */
    public static synchronized S3ProxyServer shared() throws Exception {
        if (shared == null) {
            shared = start();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::stop));
        }
        return shared;
    }

    /** Returns the path of the S3Proxy jar that the build resolved, failing or skipping the test when it is absent. */
    public static Path jar() {
        String property = System.getProperty("entrepot.s3proxy.jar");
        Path jar = property == null ? null : Path.of(property);
        if (jar == null || !Files.isRegularFile(jar)) {
            String message = "S3Proxy jar not found at " + property
                    + "; fetch it with: mvn dependency:get -Dartifact=org.gaul:s3proxy:4.1.0:jar:jar-with-dependencies";
            if (Boolean.getBoolean("entrepot.requireExternal")) {
                throw new IllegalStateException(message);
            }
            Assumptions.abort(message);
        }
        return jar;
    }

    private static S3ProxyServer start() throws Exception {
        Path jar = jar();
        Path directory = Files.createTempDirectory("entrepot-s3proxy");
        Path data = Files.createDirectories(directory.resolve("data"));
        int port = freePort();
        Path properties = directory.resolve("s3proxy.conf");
        Files.writeString(properties, String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + ACCESS_KEY,
                "s3proxy.credential=" + SECRET_KEY,
                "jclouds.provider=filesystem-nio2",
                "jclouds.filesystem.basedir=" + data,
                ""));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(java.toString(), "-Xmx256m", "-jar", jar.toString(), "--properties", properties.toString())
                .redirectErrorStream(true)
                .redirectOutput(directory.resolve("s3proxy.log").toFile())
                .start();
        waitUntilListening(process, port, directory.resolve("s3proxy.log"));
        return new S3ProxyServer(process, port, directory);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void waitUntilListening(Process process, int port, Path log) throws Exception {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("S3Proxy exited with " + process.exitValue() + " during start-up:\n" + Files.readString(log));
            }
            try {
                HttpURLConnection connection = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/").toURL().openConnection();
                connection.setConnectTimeout(500);
                connection.getResponseCode();
                connection.disconnect();
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("S3Proxy did not listen on port " + port + " within " + STARTUP_TIMEOUT + ":\n" + Files.readString(log));
    }

    public int port() {
        return port;
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** Returns a client with full access, for tests that look at the bucket behind the driver. */
    public S3Client admin() {
        return admin;
    }

    /** Creates and returns an empty bucket with a name no other test uses. */
    public String newBucket() {
        String bucket = "entrepot-" + ProcessHandle.current().pid() + "-" + BUCKETS.incrementAndGet() + "-"
                + UUID.randomUUID().toString().substring(0, 8);
        admin.createBucket(b -> b.bucket(bucket));
        return bucket;
    }

    /** Returns the keys of every multipart upload in progress in {@code bucket}. */
    public List<String> multipartUploads(String bucket) {
        return admin.listMultipartUploads(b -> b.bucket(bucket)).uploads().stream().map(u -> u.key()).toList();
    }

    /** Returns what the server logged, for failure messages. */
    public String log() {
        try (InputStream in = Files.newInputStream(directory.resolve("s3proxy.log"))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    private void stop() {
        admin.close();
        process.destroy();
    }
}
