package io.entrepot.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrepot.testing.RegistryClient;
import io.entrepot.testing.ServerProcess;
import io.entrepot.testing.TestManifests;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Entrepot processes on one filesystem storage, each with its own in-memory blob descriptor
 * cache. Instance B caches a blob, a collection elsewhere deletes it, and B must then respond 404
 * for it and reject a manifest naming it, although its cache contained the blob.
 */
class CollectionCacheTest {

    private static final String REPOSITORY = "team/app";
    private static final Pattern CACHE_HITS = Pattern.compile("registry_storage_cache_total\\{type=\"Hit\"} ([0-9.eE+]+)");
    private static final Duration WAIT = Duration.ofMinutes(3);

    @TempDir
    Path workDir;

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<ServerProcess> processes = new ArrayList<>();

    @AfterEach
    void stopProcesses() throws InterruptedException {
        for (ServerProcess process : processes) {
            process.close();
        }
    }

    @Test
    void commandLineCollection_emptiesOtherInstanceCache() throws Exception {
        Path root = workDir.resolve("storage");
        Instance a = start("a", root, null);
        Instance b = start("b", root, null);
        byte[] orphan = "layer that no manifest names".getBytes(StandardCharsets.UTF_8);
        String digest = a.client.pushBlob(REPOSITORY, orphan);
        backdate(root, digest);
        fillCache(b, root, digest);

        Path configFile = writeConfig("collector", root, ServerProcess.freePort(), ServerProcess.freePort(), null);
        try (ServerProcess collector = ServerProcess.entrepot("garbage-collect", configFile.toString(), "--grace", "1m")
                .output(workDir.resolve("collector.log")).start()) {
            int status = collector.waitFor(WAIT);
            assertThat(status).as("garbage-collect exit status; output:\n%s", collector.output()).isZero();
        }

        assertThat(Files.exists(dataFile(root, digest))).as("blob data after the collection").isFalse();
        assertGoneOn(b, digest, orphan.length);
        assertGoneOn(a, digest, orphan.length);
    }

    @Test
    void scheduledCollection_emptiesOtherInstanceCache() throws Exception {
        Path root = workDir.resolve("storage");
        // Every minute, by a cron expression, so this also runs the cron schedule in a real server.
        Instance a = start("a", root, "      enabled: true\n      schedule: \"* * * * *\"\n      grace: 1m\n");
        Instance b = start("b", root, null);
        byte[] orphan = "another layer that no manifest names".getBytes(StandardCharsets.UTF_8);
        String digest = a.client.pushBlob(REPOSITORY, orphan);

        // Right after a collection ends, the next one is most of a minute away: fill B's cache then.
        awaitEpochChange(root, readEpoch(root), "idle ");
        backdate(root, digest);
        fillCache(b, root, digest);

        awaitGone(dataFile(root, digest));
        assertGoneOn(b, digest, orphan.length);
    }

    @Test
    void abandonedMarker_cacheDroppedThenUsedAgain() throws Exception {
        Path root = workDir.resolve("storage");
        // The test property shortens the stale limit from minutes to seconds; no collector runs here.
        Instance instance = start("a", root, null, "-Dentrepot.test.cacheFenceStaleLimit=3s");
        byte[] layer = "layer cached before a collector died".getBytes(StandardCharsets.UTF_8);
        String digest = instance.client.pushBlob(REPOSITORY, layer);
        fillCache(instance, root, digest);

        // What a collector killed between raising and lowering its fence leaves: no heartbeat nor idle follows.
        String collectorId = "killed-" + UUID.randomUUID();
        Path epochFile = root.resolve("docker/registry/v2/_entrepot/gc/epoch");
        Files.createDirectories(epochFile.getParent());
        Files.writeString(epochFile, "sweeping " + collectorId + " " + Instant.now());
        awaitCacheFence(instance, "abandoned");

        double hitsBefore = cacheHits(instance);
        assertThat(head(instance, digest)).as("first HEAD after the marker was abandoned").isEqualTo(200);
        assertThat(cacheHits(instance)).as("cache hits of that HEAD, whose entry was dropped").isEqualTo(hitsBefore);
        awaitCacheHit(instance, digest);
        assertThat(instance.process.output()).as("log of the instance").contains("taken for dead").contains(collectorId);
        assertThat(readEpoch(root)).as("the marker in storage").startsWith("sweeping " + collectorId);
    }

    private record Instance(ServerProcess process, RegistryClient client, URI debug) {}

    private Instance start(String name, Path root, String gcSection, String... jvmOptions) throws Exception {
        int port = ServerProcess.freePort();
        int debugPort = ServerProcess.freePort();
        Path config = writeConfig(name, root, port, debugPort, gcSection);
        ServerProcess process = ServerProcess.entrepot("serve", config.toString()).jvmOptions("-Xmx256m").jvmOptions(jvmOptions)
                .output(workDir.resolve(name + ".log")).port(port).start();
        processes.add(process);
        process.awaitReady();
        return new Instance(process, new RegistryClient(process.baseUri()), URI.create("http://127.0.0.1:" + debugPort + "/"));
    }

    private Path writeConfig(String name, Path root, int port, int debugPort, String gcSection) throws IOException {
        String maintenance = gcSection == null ? "" : "  maintenance:\n    gc:\n" + gcSection;
        String yaml = """
                version: 0.1
                log:
                  level: info
                storage:
                  filesystem:
                    rootdirectory: %s
                  delete:
                    enabled: true
                  cache:
                    blobdescriptor: inmemory
                %shttp:
                  addr: 127.0.0.1:%d
                  debug:
                    addr: 127.0.0.1:%d
                """.formatted(root, maintenance, port, debugPort);
        return Files.writeString(workDir.resolve(name + ".yml"), yaml);
    }

    /** Makes the blob look uploaded two hours ago and never named by a push, so a 1m grace does not keep it. */
    private static void backdate(Path root, String digest) throws IOException {
        Files.setLastModifiedTime(dataFile(root, digest), FileTime.from(Instant.now().minus(Duration.ofHours(2))));
        Files.deleteIfExists(dataFile(root, digest).resolveSibling("referencedat"));
    }

    /**
     * HEADs the blob on {@code instance} twice, and checks that the second HEAD was served from the
     * cache and that no collection published an epoch meanwhile, retrying while one runs.
     */
    private void fillCache(Instance instance, Path root, String digest) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            String epochBefore = readEpoch(root);
            if (!epochBefore.startsWith("sweeping")) {
                assertThat(head(instance, digest)).as("first HEAD on %s", instance.process.baseUri()).isEqualTo(200);
                double hitsBefore = cacheHits(instance);
                assertThat(head(instance, digest)).as("second HEAD").isEqualTo(200);
                boolean answeredByCache = cacheHits(instance) - hitsBefore >= 2;
                if (answeredByCache && readEpoch(root).equals(epochBefore)) {
                    return;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the cache never answered a HEAD outside a collection within " + WAIT);
    }

    /** Checks that {@code instance} responds 404 for the blob and rejects a manifest naming it beside a fresh config. */
    private void assertGoneOn(Instance instance, String digest, long size) {
        assertThat(head(instance, digest)).as("HEAD %s on %s after the collection", digest, instance.process.baseUri())
                .isEqualTo(404);

        // Pushed now, so that no collection is old enough to remove it and the layer is the only missing blob.
        byte[] config = ("{\"instance\":\"" + instance.process.baseUri() + "\"}").getBytes(StandardCharsets.UTF_8);
        instance.client.pushBlob(REPOSITORY, config);

        byte[] manifest = TestManifests.image(TestManifests.Blob.of(config),
                List.of(new TestManifests.Blob(digest, size)), null);
        HttpResponse<byte[]> put = instance.client.putManifest(REPOSITORY, "v1", TestManifests.OCI_MANIFEST, manifest);
        String body = new String(put.body(), StandardCharsets.UTF_8);
        assertThat(put.statusCode()).as("manifest PUT naming the collected blob: %s", body).isEqualTo(400);
        assertThat(body).contains("MANIFEST_BLOB_UNKNOWN").contains(digest);
    }

    /** Waits until the instance's /debug/cache reports the fence {@code state}. */
    private void awaitCacheFence(Instance instance, String state) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String body = "";
        while (System.nanoTime() < deadline) {
            body = http.send(HttpRequest.newBuilder(instance.debug.resolve("/debug/cache")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            if (body.contains("\"fence\":\"" + state + "\"")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the cache fence never became " + state + " within " + WAIT + "; last /debug/cache: " + body);
    }

    /** Waits until a HEAD of the blob on {@code instance} is served from its cache. */
    private void awaitCacheHit(Instance instance, String digest) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            double hitsBefore = cacheHits(instance);
            assertThat(head(instance, digest)).as("HEAD of the cached blob").isEqualTo(200);
            if (cacheHits(instance) > hitsBefore) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the cache never answered a HEAD again within " + WAIT);
    }

    private int head(Instance instance, String digest) {
        return instance.client.head("v2/" + REPOSITORY + "/blobs/" + digest).statusCode();
    }

    private double cacheHits(Instance instance) throws Exception {
        String metrics = http.send(HttpRequest.newBuilder(instance.debug.resolve("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher matcher = CACHE_HITS.matcher(metrics);
        assertThat(matcher.find()).as("cache hit counter in the metrics of %s", instance.debug).isTrue();
        return Double.parseDouble(matcher.group(1));
    }

    private static Path dataFile(Path root, String digest) {
        String hex = digest.substring("sha256:".length());
        return root.resolve("docker/registry/v2/blobs/sha256").resolve(hex.substring(0, 2)).resolve(hex).resolve("data");
    }

    private static String readEpoch(Path root) throws IOException {
        Path file = root.resolve("docker/registry/v2/_entrepot/gc/epoch");
        return Files.exists(file) ? Files.readString(file) : "";
    }

    private static void awaitEpochChange(Path root, String previous, String prefix) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            String epoch = readEpoch(root);
            if (!epoch.equals(previous) && epoch.startsWith(prefix)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no collection published a new \"" + prefix.trim() + "\" epoch within " + WAIT);
    }

    private static void awaitGone(Path file) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (Files.exists(file) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(Files.exists(file)).as("%s after waiting %s for the scheduled collection", file, WAIT).isFalse();
    }
}
