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
        assertThat(left).isEqualTo(blobDigests(distributionCopy));
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
        Blob config = pushBlob(client, repository, "{\"config\":" + (blobCounter++) + "}");
        byte[] manifest = TestManifests.image(config, List.of(layers), null);
        HttpResponse<byte[]> response = client.putManifest(repository, tag, TestManifests.OCI_MANIFEST, manifest);
        assertThat(response.statusCode()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(201);
        return Blob.of(manifest);
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
