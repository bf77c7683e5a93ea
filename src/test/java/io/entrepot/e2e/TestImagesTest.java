package io.entrepot.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checks that the images the end-to-end tests push are what those tests assume. */
class TestImagesTest {

    @TempDir
    Path workDir;

    @Test
    void multiLayerImage_hasFourLayers() throws Exception {
        OciLayout layout = TestImages.createLayout(workDir.resolve("layout"));

        String digest = TestImages.buildMultiLayerImage(layout, "v1", workDir);

        // umoci 0.4 leaves out the optional mediaType field of the manifest itself.
        assertThat(layout.descriptor("v1").path("mediaType").asText()).isEqualTo(TestImages.OCI_MANIFEST);
        JsonNode manifest = layout.readJsonBlob(digest);
        assertThat(manifest.path("layers")).hasSize(4);
        long largestLayer = 0;
        for (JsonNode layer : manifest.path("layers")) {
            assertThat(layout.blobPath(layer.path("digest").asText())).exists();
            largestLayer = Math.max(largestLayer, layer.path("size").asLong());
        }
        // umoci gzips every layer, and gzip cannot shrink random bytes.
        assertThat(largestLayer).isGreaterThanOrEqualTo(TestImages.RANDOM_LAYER_BYTES);
        JsonNode config = layout.readJsonBlob(manifest.path("config").path("digest").asText());
        assertThat(config.path("architecture").asText()).isEqualTo("amd64");
        assertThat(OciLayout.sha256(Files.readAllBytes(layout.blobPath(digest)))).isEqualTo(digest);
        layout.assertBlobsMatchTheirNames();
    }

    @Test
    void multiArchIndex_referencesOneManifestPerArchitecture() {
        OciLayout layout = TestImages.createLayout(workDir.resolve("layout"));

        String digest = TestImages.buildMultiArchIndex(layout, "multi", workDir);

        assertThat(layout.descriptor("multi").path("mediaType").asText()).isEqualTo(TestImages.OCI_INDEX);
        JsonNode index = layout.readJsonBlob(digest);
        assertThat(index.path("mediaType").asText()).isEqualTo(TestImages.OCI_INDEX);
        List<String> platforms = new ArrayList<>();
        List<String> configArchitectures = new ArrayList<>();
        for (JsonNode descriptor : index.path("manifests")) {
            platforms.add(descriptor.path("platform").path("architecture").asText());
            JsonNode manifest = layout.readJsonBlob(descriptor.path("digest").asText());
            String configDigest = manifest.path("config").path("digest").asText();
            configArchitectures.add(layout.readJsonBlob(configDigest).path("architecture").asText());
        }
        assertThat(platforms).isEqualTo(TestImages.INDEX_ARCHITECTURES);
        assertThat(configArchitectures).isEqualTo(TestImages.INDEX_ARCHITECTURES);
        layout.assertBlobsMatchTheirNames();
    }

    @Test
    void randomFile_sameSeedGivesSameBytes() throws Exception {
        Path first = TestImages.writeRandomFile(workDir.resolve("a"), 100_000, 7);
        Path second = TestImages.writeRandomFile(workDir.resolve("b"), 100_000, 7);
        Path other = TestImages.writeRandomFile(workDir.resolve("c"), 100_000, 8);

        assertThat(Files.size(first)).isEqualTo(100_000);
        assertThat(Files.readAllBytes(first)).isEqualTo(Files.readAllBytes(second));
        assertThat(Files.readAllBytes(first)).isNotEqualTo(Files.readAllBytes(other));
    }
}
