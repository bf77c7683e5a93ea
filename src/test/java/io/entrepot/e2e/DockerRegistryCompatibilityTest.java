package io.entrepot.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrepot.http.RegistryServer;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks that Entrepot and Debian's docker-registry (CNCF distribution 2.8) read each other's
 * filesystem storage. An image pushed to one is pulled, with the same digests and tags, from the
 * other serving the same directory after the first has stopped.
 */
class DockerRegistryCompatibilityTest {

    @TempDir
    Path workDir;

    private Path root;
    private OciLayout source;
    private String imageDigest;
    private String indexDigest;

    @BeforeEach
    void buildImages() {
        ExternalTools.require("skopeo");
        ExternalTools.require("docker-registry");
        root = workDir.resolve("storage");
        source = TestImages.createLayout(workDir.resolve("source"));
        imageDigest = TestImages.buildMultiLayerImage(source, "app", workDir);
        indexDigest = TestImages.buildMultiArchIndex(source, "multi", workDir);
    }

    @Test
    void pushedToDockerRegistry_pulledFromEntrepot() throws Exception {
        try (ServerProcess dockerRegistry = Registries.startDockerRegistry(root, workDir)) {
            push("docker://" + dockerRegistry.hostPort());
        }

        RegistryServer entrepot = Registries.startInProcess(root);
        try {
            pullAndCompare("docker://127.0.0.1:" + entrepot.port());
        } finally {
            entrepot.close();
        }
    }

    @Test
    void pushedToEntrepot_pulledFromDockerRegistry() throws Exception {
        RegistryServer entrepot = Registries.startInProcess(root);
        try {
            push("docker://127.0.0.1:" + entrepot.port());
        } finally {
            entrepot.close();
        }

        try (ServerProcess dockerRegistry = Registries.startDockerRegistry(root, workDir)) {
            pullAndCompare("docker://" + dockerRegistry.hostPort());
        }
    }

    private void push(String registry) {
        Skopeo.copy(source.reference("app"), registry + "/compat/app:v1", false);
        Skopeo.copy(source.reference("app"), registry + "/compat/app:stable", false);
        Skopeo.copy(source.reference("multi"), registry + "/compat/multi:v1", true);
    }

    private void pullAndCompare(String registry) {
        assertThat(Skopeo.listTags(registry + "/compat/app")).containsExactlyInAnyOrder("v1", "stable");
        assertThat(Skopeo.listTags(registry + "/compat/multi")).containsExactly("v1");
        assertThat(OciLayout.sha256(Skopeo.inspectRaw(registry + "/compat/app:stable"))).isEqualTo(imageDigest);
        assertThat(OciLayout.sha256(Skopeo.inspectRaw(registry + "/compat/multi:v1"))).isEqualTo(indexDigest);

        OciLayout imageCopy = new OciLayout(workDir.resolve("image-copy"));
        Skopeo.copy(registry + "/compat/app:v1", imageCopy.reference("app"), false);
        source.assertCopiedTo(imageCopy, "app");

        OciLayout indexCopy = new OciLayout(workDir.resolve("index-copy"));
        Skopeo.copy(registry + "/compat/multi:v1", indexCopy.reference("multi"), true);
        source.assertCopiedTo(indexCopy, "multi");
    }
}
