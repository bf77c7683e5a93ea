package io.entrepot.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrepot.testing.NginxProcess;
import io.entrepot.testing.RedisServer;
import io.entrepot.testing.S3ProxyServer;
import io.entrepot.testing.ServerProcess;
import io.entrepot.testing.SelfSignedCertificate;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three Entrepot processes on one storage and one real Redis, behind real nginx running
 * {@code deploy/nginx/entrepot.conf}. While clients push and pull through nginx, one instance is
 * killed with SIGKILL and started again, then all three are restarted one after another with
 * SIGTERM. No pull may fail, no blob may be corrupt or missing, and chunked uploads whose
 * requests landed on different instances must complete with the right digest.
 *
 * <p>Runs once on a filesystem root and once on S3 (S3Proxy), each for about a minute of load
 * plus start-ups; the counts are printed to standard output.
 */
@Tag("external")
class ClusterTest {

    private static final int INSTANCES = 3;
    private static final String IMAGE_REPOSITORY = "cluster/image";
    private static final String SKOPEO_REPOSITORY = "cluster/skopeo";
    private static final String UPLOAD_REPOSITORY = "cluster/chunked";

    /*
     * nginx open source checks upstreams passively: an instance that failed max_fails (3) times
     * stays out of rotation for fail_timeout, even once it is back. A rolling restart must
     * therefore wait longer than fail_timeout before stopping the next instance, or nginx runs
     * out of live instances and returns 502. The deployment file's 30 s would make this test take
     * minutes, so it runs with 5 s and waits 8 s after each restart.
     */
    private static final String FAIL_TIMEOUT = "5s";
    private static final long SETTLE_MILLIS = 8_000;

    @TempDir
    Path work;

    private RedisServer redis;
    private NginxProcess nginx;
    private final List<Instance> instances = new ArrayList<>();
    private final List<Thread> clients = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);

    /** One Entrepot instance: a fixed port and configuration, and the process of its current run. */
    private final class Instance {
        final int number;
        final int port;
        final Path config;
        ServerProcess process;
        int runs;

        Instance(int number, String storageDriver) throws IOException {
            this.number = number;
            this.port = ServerProcess.freePort();
            this.config = work.resolve("entrepot-" + number + ".yml");
            Files.writeString(config, """
                    version: 0.1
                    log: {level: info, formatter: text}
                    storage:
                      %s
                      delete: {enabled: true}
                      cache: {blobdescriptor: redis}
                      maintenance: {uploadpurging: {enabled: false}}
                    redis: {addr: "%s", dialtimeout: 1s, readtimeout: 500ms, writetimeout: 500ms}
                    http:
                      addr: 127.0.0.1:%d
                      trustedproxies: [127.0.0.1]
                      shutdowndelay: 2s
                      draintimeout: 10s
                    """.formatted(storageDriver, redis.addr(), port));
        }

        ServerProcess launch() throws IOException {
            runs++;
            process = ServerProcess.entrepot("serve", config.toString())
                    .jvmOptions("-Xmx256m")
                    .port(port)
                    .output(work.resolve("entrepot-" + number + "-run-" + runs + ".log"))
                    .start();
            return process;
        }
    }

    @AfterEach
    void stopEverything() throws Exception {
        running.set(false);
        for (Thread client : clients) {
            client.join(30_000);
        }
        for (Instance instance : instances) {
            if (instance.process != null) {
                instance.process.close();
            }
        }
        if (nginx != null) {
            nginx.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void killAndRestarts_filesystem_noFailedPulls() throws Exception {
        Path root = work.resolve("storage");
        runCluster("filesystem: {rootdirectory: " + root + "}", root);
    }

    @Test
    void killAndRestarts_s3_noFailedPulls() throws Exception {
        S3ProxyServer s3 = S3ProxyServer.shared();
        String driver = "s3: {region: %s, regionendpoint: \"%s\", bucket: %s, accesskey: %s, secretkey: %s, forcepathstyle: true}"
                .formatted(S3ProxyServer.REGION, s3.endpoint(), s3.newBucket(), S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY);
        runCluster(driver, null);
    }

    /**
     * Runs the whole scenario on {@code storageDriver}, the driver's line of the storage section.
     *
     * @param root the filesystem root whose blob files are hashed at the end, or null for S3,
     *     whose blobs are checked only through the downloads
     */
    private void runCluster(String storageDriver, Path root) throws Exception {
        ExternalTools.require("skopeo");
        OciLayout layout = TestImages.createLayout(work.resolve("layout"));
        String manifestDigest = TestImages.buildMultiLayerImage(layout, "v1", work.resolve("files"));

        redis = RedisServer.start(work.resolve("redis"));
        for (int i = 1; i <= INSTANCES; i++) {
            instances.add(new Instance(i, storageDriver));
        }
        for (Instance instance : instances) {
            instance.launch();
        }
        for (Instance instance : instances) {
            instance.process.awaitReady();
        }
        nginx = NginxProcess.start(work.resolve("nginx"), instances.stream().map(instance -> instance.port).toList(), FAIL_TIMEOUT);
        String registry = "127.0.0.1:" + nginx.httpsPort();
        URI base = URI.create("https://" + registry + "/");
        // With S3, blob GETs redirect to a presigned plain-HTTP S3Proxy URL, which NORMAL would not follow from HTTPS.
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).followRedirects(HttpClient.Redirect.ALWAYS)
                .sslContext(SelfSignedCertificate.trusting(nginx.certificates())).connectTimeout(Duration.ofSeconds(5)).build();

        Skopeo.copy(layout.reference("v1"), "docker://" + registry + "/" + IMAGE_REPOSITORY + ":v1", false);

        ClusterClients.Counts counts = new ClusterClients.Counts();
        ClusterClients api = new ClusterClients(http, base, counts);
        Map<String, String> pushedTags = new ConcurrentHashMap<>();
        startClients(api, counts, layout, manifestDigest, registry, pushedTags);

        disrupt();

        running.set(false);
        for (Thread client : clients) {
            client.join(120_000);
        }
        verifyEverythingPushed(api, manifestDigest, pushedTags);
        long corruptFiles = root == null ? 0 : corruptBlobFiles(root);

        String report = report(counts, corruptFiles, pushedTags.size());
        System.out.println(report);
        assertThat(counts.pullsAttempted.get()).as(report).isGreaterThan(10);
        assertThat(counts.pullsFailed.get()).as(report).isZero();
        assertThat(counts.skopeoPullsFailed.get()).as(report).isZero();
        assertThat(counts.corruptBlobs.get()).as(report).isZero();
        assertThat(counts.missingBlobs.get()).as(report).isZero();
        assertThat(corruptFiles).as(report).isZero();
        assertThat(counts.uploadsFailed.get()).as(report).isZero();
        assertThat(counts.uploadsSpread.get()).as(report).isGreaterThan(0);
        assertThat(counts.uploadsCompleted.get()).as(report).isEqualTo(counts.uploadsAttempted.get());
    }

    /** Starts two pullers, two chunked uploaders and one skopeo push-and-pull loop. */
    private void startClients(ClusterClients api, ClusterClients.Counts counts, OciLayout layout, String manifestDigest,
            String registry, Map<String, String> pushedTags) {
        for (int i = 0; i < 2; i++) {
            clients.add(Thread.ofPlatform().name("puller-" + i).start(() -> loop(() -> api.pull(IMAGE_REPOSITORY, "v1", manifestDigest))));
        }
        AtomicInteger seeds = new AtomicInteger();
        for (int i = 0; i < 2; i++) {
            clients.add(Thread.ofPlatform().name("uploader-" + i).start(() -> loop(
                    () -> api.chunkedUpload(UPLOAD_REPOSITORY, 2 * 1024 * 1024 + seeds.get(), 256 * 1024, seeds.incrementAndGet()))));
        }
        AtomicInteger runs = new AtomicInteger();
        clients.add(Thread.ofPlatform().name("skopeo").start(() -> loop(() -> {
            String tag = "run-" + runs.incrementAndGet();
            if (skopeoPush(layout, registry, tag, counts)) {
                pushedTags.put(tag, manifestDigest);
                skopeoPull(registry, tag, manifestDigest, counts);
            }
            return true;
        })));
    }

    @FunctionalInterface
    private interface Operation {
        boolean run() throws Exception;
    }

    private void loop(Operation operation) {
        while (running.get()) {
            try {
                operation.run();
            } catch (Exception e) {
                throw new IllegalStateException("client failed", e);
            }
        }
    }

    private boolean skopeoPush(OciLayout layout, String registry, String tag, ClusterClients.Counts counts) throws Exception {
        counts.skopeoPushesAttempted.incrementAndGet();
        SkopeoRun push = skopeo("copy", "--retry-times", "5", "--preserve-digests", "--dest-tls-verify=false",
                layout.reference("v1"), "docker://" + registry + "/" + SKOPEO_REPOSITORY + ":" + tag);
        if (push.exitCode() != 0) {
            counts.skopeoPushesFailed.incrementAndGet();
            counts.fail("skopeo push " + tag + ": " + push.output());
            return false;
        }
        return true;
    }

    private void skopeoPull(String registry, String tag, String manifestDigest, ClusterClients.Counts counts) throws Exception {
        counts.skopeoPullsAttempted.incrementAndGet();
        Path pulled = work.resolve("pulled-" + tag);
        SkopeoRun pull = skopeo("copy", "--retry-times", "5", "--src-tls-verify=false",
                "docker://" + registry + "/" + SKOPEO_REPOSITORY + ":" + tag, "oci:" + pulled + ":" + tag);
        if (pull.exitCode() != 0) {
            counts.skopeoPullsFailed.incrementAndGet();
            counts.fail("skopeo pull " + tag + ": " + pull.output());
            return;
        }
        OciLayout copy = new OciLayout(pulled);
        if (!copy.digest(tag).equals(manifestDigest)) {
            counts.corruptBlobs.incrementAndGet();
            counts.fail("skopeo pull " + tag + " got manifest " + copy.digest(tag));
        }
        for (var blob : copy.blobs().entrySet()) {
            if (OciLayout.sha256(blob.getValue()).equals(blob.getKey())) {
                counts.digestsVerified.incrementAndGet();
            } else {
                counts.corruptBlobs.incrementAndGet();
                counts.fail("skopeo pull " + tag + " blob " + blob.getKey() + " does not match its digest");
            }
        }
        deleteRecursively(pulled);
    }

    private record SkopeoRun(int exitCode, String output) {}

    private SkopeoRun skopeo(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ExternalTools.require("skopeo").toString());
        command.addAll(List.of(arguments));
        Path output = Files.createTempFile(work, "skopeo-", ".out");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.destroyForcibly().waitFor();
        }
        String text = Files.readString(output, StandardCharsets.UTF_8);
        Files.delete(output);
        return new SkopeoRun(process.isAlive() ? -1 : process.exitValue(), text);
    }

    /**
     * SIGKILL on the first instance and a restart, then a rolling restart of all three with
     * SIGTERM, with load running throughout. Pauses let clients reach every state.
     */
    private void disrupt() throws Exception {
        Thread.sleep(5_000);
        Instance victim = instances.get(0);
        log("SIGKILL instance " + victim.number);
        victim.process.sendSignal("KILL");
        victim.process.waitFor(Duration.ofSeconds(10));
        Thread.sleep(3_000);
        restart(victim);
        Thread.sleep(SETTLE_MILLIS);

        for (Instance instance : instances) {
            log("SIGTERM instance " + instance.number);
            instance.process.sendSignal("TERM");
            int status = instance.process.waitFor(Duration.ofSeconds(30));
            assertThat(status).as("exit status of instance %d after SIGTERM", instance.number).isZero();
            restart(instance);
            Thread.sleep(SETTLE_MILLIS);
        }
    }

    private void restart(Instance instance) throws Exception {
        instance.launch().awaitReady();
        log("instance " + instance.number + " ready again (run " + instance.runs + ")");
    }

    private static void log(String event) {
        System.out.println(java.time.LocalTime.now() + " cluster test: " + event);
    }

    /** Pulls every tag the skopeo loop pushed, now that the cluster is stable again. */
    private static void verifyEverythingPushed(ClusterClients api, String manifestDigest, Map<String, String> pushedTags) throws Exception {
        for (String tag : pushedTags.keySet()) {
            api.pull(SKOPEO_REPOSITORY, tag, manifestDigest);
        }
    }

    /** Hashes every blob file under the storage root and returns how many do not match their path. */
    private static long corruptBlobFiles(Path root) throws IOException {
        Path blobs = root.resolve("docker/registry/v2/blobs/sha256");
        long corrupt = 0;
        try (Stream<Path> files = Files.walk(blobs)) {
            for (Path data : files.filter(path -> path.getFileName().toString().equals("data")).toList()) {
                String expected = "sha256:" + data.getParent().getFileName();
                if (!OciLayout.sha256(data).equals(expected)) {
                    corrupt++;
                }
            }
        }
        return corrupt;
    }

    private static String report(ClusterClients.Counts counts, long corruptFiles, int tagsPushed) {
        return """
                cluster test results
                  image pulls (API)         attempted %d, failed %d
                  image pulls (skopeo)      attempted %d, failed %d
                  image pushes (skopeo)     attempted %d, failed %d, tags verified at the end %d
                  chunked uploads           attempted %d, completed %d, failed %d, spread over >1 instance %d, resumed %d
                  digests verified          %d
                  corrupt blobs             %d (downloads), %d (files in storage)
                  missing blobs             %d
                  requests retried          %d
                  first failures            %s
                """.formatted(
                counts.pullsAttempted.get(), counts.pullsFailed.get(),
                counts.skopeoPullsAttempted.get(), counts.skopeoPullsFailed.get(),
                counts.skopeoPushesAttempted.get(), counts.skopeoPushesFailed.get(), tagsPushed,
                counts.uploadsAttempted.get(), counts.uploadsCompleted.get(), counts.uploadsFailed.get(),
                counts.uploadsSpread.get(), counts.uploadsResumed.get(),
                counts.digestsVerified.get(),
                counts.corruptBlobs.get(), corruptFiles,
                counts.missingBlobs.get(),
                counts.requestsRetried.get(),
                counts.failures.isEmpty() ? "none" : String.join("\n    ", counts.failures));
    }

    private static void deleteRecursively(Path directory) throws IOException {
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
