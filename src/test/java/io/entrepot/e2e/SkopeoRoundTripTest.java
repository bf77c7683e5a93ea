package io.entrepot.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import io.entrepot.http.RegistryServer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pushes real images to an in-process Entrepot with skopeo and pulls them back out, checking that
 * manifests and blobs come back byte for byte.
 */
class SkopeoRoundTripTest {

    @TempDir
    Path workDir;

    private RegistryServer server;
    private String registry;

    @BeforeEach
    void startRegistry() throws Exception {
        ExternalTools.require("skopeo");
        server = Registries.startInProcess(workDir.resolve("storage"));
        registry = "docker://127.0.0.1:" + server.port();
    }

    @AfterEach
    void stopRegistry() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void multiLayerImage_roundTripKeepsDigests() {
        OciLayout source = TestImages.createLayout(workDir.resolve("source"));
        String digest = TestImages.buildMultiLayerImage(source, "v1", workDir);

        Skopeo.copy(source.reference("v1"), registry + "/e2e/app:v1", false);

        assertThat(OciLayout.sha256(Skopeo.inspectRaw(registry + "/e2e/app:v1"))).isEqualTo(digest);
        assertThat(OciLayout.sha256(Skopeo.inspectRaw(registry + "/e2e/app@" + digest))).isEqualTo(digest);
        assertThat(Skopeo.listTags(registry + "/e2e/app")).containsExactly("v1");

        OciLayout copy = new OciLayout(workDir.resolve("copy"));
        Skopeo.copy(registry + "/e2e/app:v1", copy.reference("v1"), false);

        source.assertCopiedTo(copy, "v1");
    }

    @Test
    void multiArchIndex_roundTripKeepsEveryArchitecture() {
        OciLayout source = TestImages.createLayout(workDir.resolve("source"));
        String indexDigest = TestImages.buildMultiArchIndex(source, "v1", workDir);

        Skopeo.copy(source.reference("v1"), registry + "/e2e/multi:v1", true);

        assertThat(OciLayout.sha256(Skopeo.inspectRaw(registry + "/e2e/multi:v1"))).isEqualTo(indexDigest);
        for (JsonNode child : source.readJsonBlob(indexDigest).path("manifests")) {
            String childDigest = child.path("digest").asText();
            assertThat(OciLayout.sha256(Skopeo.inspectRaw(registry + "/e2e/multi@" + childDigest)))
                    .as("manifest for %s", child.path("platform").path("architecture").asText())
                    .isEqualTo(childDigest);
        }

        OciLayout copy = new OciLayout(workDir.resolve("copy"));
        Skopeo.copy(registry + "/e2e/multi:v1", copy.reference("v1"), true);

        source.assertCopiedTo(copy, "v1");
    }

    @Test
    void twoTagsOfOneImage_shareTheDigest() {
        OciLayout source = TestImages.createLayout(workDir.resolve("source"));
        String digest = TestImages.buildMultiLayerImage(source, "v1", workDir);

        Skopeo.copy(source.reference("v1"), registry + "/e2e/app:v1", false);
        Skopeo.copy(source.reference("v1"), registry + "/e2e/app:latest", false);

        assertThat(Skopeo.listTags(registry + "/e2e/app")).containsExactlyInAnyOrder("v1", "latest");
        assertThat(OciLayout.sha256(Skopeo.inspectRaw(registry + "/e2e/app:latest"))).isEqualTo(digest);
    }

    @Test
    void missingTag_pullFails() {
        OciLayout source = TestImages.createLayout(workDir.resolve("source"));
        TestImages.buildMultiArchIndex(source, "v1", workDir);
        Skopeo.copy(source.reference("v1"), registry + "/e2e/multi:v1", true);

        AssertionError missingTag = assertThrows(AssertionError.class,
                () -> Skopeo.inspectRaw(registry + "/e2e/multi:v2"));
        AssertionError missingRepository = assertThrows(AssertionError.class,
                () -> Skopeo.inspectRaw(registry + "/e2e/absent:v1"));

        assertThat(missingTag).hasMessageContaining("manifest unknown");
        assertThat(missingRepository.getMessage()).containsAnyOf("manifest unknown", "name unknown");
    }
}
