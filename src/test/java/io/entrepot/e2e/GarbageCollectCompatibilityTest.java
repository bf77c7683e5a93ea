package io.entrepot.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrepot.cli.Main;
import io.entrepot.testing.RegistryClient;
import io.entrepot.testing.TestManifests;
import io.entrepot.testing.TestManifests.Blob;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compares {@code entrepot garbage-collect} with Debian's {@code docker-registry garbage-collect}
 * (CNCF distribution 2.8.2) on two copies of one storage directory written by docker-registry:
 * both must leave the same blobs.
 */
class GarbageCollectCompatibilityTest {

    @TempDir
    Path workDir;

    private Path original;
    private int blobCounter;
    private final List<String> garbage = new ArrayList<>();
    // The configs and layers of the untagged children of a tagged index.
    private final Set<String> indexChildBlobs = new TreeSet<>();

    @BeforeEach
    void pushThroughDockerRegistry() {
        ExternalTools.require("docker-registry");
        original = workDir.resolve("original");
        try (ServerProcess dockerRegistry = Registries.startDockerRegistry(original, workDir)) {
            RegistryClient client = new RegistryClient(dockerRegistry.baseUri());
            Blob shared = pushBlob(client, "gc/app", "shared base layer");
            pushImage(client, "gc/app", "v1", shared, pushBlob(client, "gc/app", "v1 layer"));
            pushImage(client, "gc/other", "latest", pushBlob(client, "gc/other", "shared base layer"),
                    pushBlob(client, "gc/other", "other layer"));

            Blob deletedLayer = pushBlob(client, "gc/app", "deleted image layer");
            Blob deleted = pushImage(client, "gc/app", "v2", shared, deletedLayer);
            HttpResponse<byte[]> deletion = client.delete("v2/gc/app/manifests/" + deleted.digest());
            assertThat(deletion.statusCode()).as("DELETE manifest on docker-registry").isEqualTo(202);
            garbage.add(deletedLayer.digest());

            Blob untaggedLayer = pushBlob(client, "gc/app", "untagged image layer");
            pushImage(client, "gc/app", "moving", untaggedLayer);
            pushImage(client, "gc/app", "moving", pushBlob(client, "gc/app", "moved image layer"));

            garbage.add(pushBlob(client, "gc/app", "layer no manifest names").digest());

            int blobsBefore = blobCounter;
            Blob amd64Layer = pushBlob(client, "gc/multi", "amd64 layer");
            Blob arm64Layer = pushBlob(client, "gc/multi", "arm64 layer");
            Blob amd64 = pushImage(client, "gc/multi", null, amd64Layer);
            Blob arm64 = pushImage(client, "gc/multi", null, arm64Layer);
            for (int i = blobsBefore; i < blobCounter; i++) {
                indexChildBlobs.add(Blob.of(config(i)).digest());
            }
            indexChildBlobs.addAll(List.of(amd64Layer.digest(), arm64Layer.digest()));
            HttpResponse<byte[]> index = client.putManifest("gc/multi", "v1", TestManifests.OCI_INDEX,
                    TestManifests.index(List.of(amd64, arm64)));
            assertThat(index.statusCode()).as(new String(index.body(), StandardCharsets.UTF_8)).isEqualTo(201);
        }
    }

    @Test
    void plainCollection_leavesSameBlobsAsDistribution() {
        compare(false);
    }

    @Test
    void deleteUntagged_leavesSameBlobsAsDistribution() {
        compare(true);
    }

    private void compare(boolean deleteUntagged) {
        Path distributionCopy = copy(original, workDir.resolve("distribution"));
        Path entrepotCopy = copy(original, workDir.resolve("entrepot"));
        Path distributionConfig = Registries.writeConfig(workDir.resolve("distribution.yml"), distributionCopy, 5000);
        Path entrepotConfig = Registries.writeConfig(workDir.resolve("entrepot.yml"), entrepotCopy, 5000);

        List<String> command = new ArrayList<>(List.of(ExternalTools.require("docker-registry").toString(), "garbage-collect"));
        List<String> arguments = new ArrayList<>(List.of("garbage-collect", entrepotConfig.toString(), "--grace", "0s"));
        if (deleteUntagged) {
            command.add("--delete-untagged");
            arguments.add("--delete-untagged");
        }
        command.add(distributionConfig.toString());
        Commands.run(Duration.ofMinutes(2), command);
        int status = Main.run(arguments.toArray(String[]::new));

        assertThat(status).isZero();
        Set<String> left = blobDigests(entrepotCopy);
        Set<String> distributionLeft = blobDigests(distributionCopy);
        if (deleteUntagged) {
            // distribution 2.8.2 unlinks the untagged children of a tagged index and deletes
            // their configs and layers, which breaks the multi-architecture image. Entrepot
            // keeps them and otherwise removes the same blobs.
            assertThat(distributionLeft).doesNotContainAnyElementsOf(indexChildBlobs);
            distributionLeft.addAll(indexChildBlobs);
        }
        assertThat(left).isEqualTo(distributionLeft);
        assertThat(blobDigests(original)).containsAll(garbage);
        assertThat(left).doesNotContainAnyElementsOf(garbage);
        assertThat(left).hasSizeLessThan(blobDigests(original).size() - garbage.size() + (deleteUntagged ? 0 : 1));
    }

    private Blob pushBlob(RegistryClient client, String repository, String text) {
        // docker-registry 2.8 responds to a monolithic POST ?digest= by only opening a session, so
        // upload in the two steps every registry supports: POST, then PUT with the content.
        byte[] content = text.getBytes(StandardCharsets.UTF_8);
        Blob blob = Blob.of(content);
        HttpResponse<byte[]> started = client.send("POST", "v2/" + repository + "/blobs/uploads/", null);
        assertThat(started.statusCode()).isEqualTo(202);
        String location = started.headers().firstValue("Location").orElseThrow();
        String separator = location.contains("?") ? "&" : "?";
        HttpResponse<byte[]> completed = client.send("PUT", location + separator + "digest=" + blob.digest(), content,
                "Content-Type", "application/octet-stream");
        assertThat(completed.statusCode()).as(new String(completed.body(), StandardCharsets.UTF_8)).isEqualTo(201);
        return blob;
    }

    private Blob pushImage(RegistryClient client, String repository, String tag, Blob... layers) {
        Blob config = pushBlob(client, repository, new String(config(blobCounter++), StandardCharsets.UTF_8));
        byte[] manifest = TestManifests.image(config, List.of(layers), null);
        Blob blob = Blob.of(manifest);
        HttpResponse<byte[]> response = client.putManifest(repository, tag == null ? blob.digest() : tag, TestManifests.OCI_MANIFEST, manifest);
        assertThat(response.statusCode()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(201);
        return blob;
    }

    private static byte[] config(int number) {
        return ("{\"config\":" + number + "}").getBytes(StandardCharsets.UTF_8);
    }

    /** Returns the digests of every {@code blobs/<algorithm>/<xx>/<hex>/data} file under {@code root}. */
    private static Set<String> blobDigests(Path root) {
        Path blobs = root.resolve("docker/registry/v2/blobs");
        try (Stream<Path> files = Files.walk(blobs)) {
            Set<String> digests = new TreeSet<>();
            files.filter(p -> p.getFileName().toString().equals("data"))
                    .forEach(p -> digests.add(p.getParent().getParent().getParent().getFileName() + ":" + p.getParent().getFileName()));
            return digests;
        } catch (IOException e) {
            throw new UncheckedIOException("failed to list blobs under " + blobs, e);
        }
    }

    private static Path copy(Path source, Path target) {
        try (Stream<Path> paths = Files.walk(source)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                Path destination = target.resolve(source.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(destination);
                } else {
                    Files.copy(path, destination);
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("failed to copy " + source + " to " + target, e);
        }
    }
}
