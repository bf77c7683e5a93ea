package io.entrepot.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrepot.config.RegistryConfig;
import io.entrepot.config.RetentionConfig;
import io.entrepot.testing.RegistryClient;
import io.entrepot.testing.TestConfigs;
import io.entrepot.testing.TestManifests;
import io.entrepot.testing.TestManifests.Blob;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Immutable tags as a client of the API meets them: 403 DENIED on overwrite and delete. */
class ImmutableTagsApiTest {

    @TempDir
    Path root;

    @Test
    void immutableTag_overwriteAndDelete_areDenied() throws Exception {
        RegistryConfig base = TestConfigs.config(TestConfigs.filesystem(root), true);
        RetentionConfig retention = new RetentionConfig(Duration.ZERO, false, List.of(),
                List.of(new RetentionConfig.ImmutableTags("prod/*", List.of("v*"))));
        RegistryConfig config = new RegistryConfig(base.version(), base.log(), base.storage(), base.http(), base.metrics(), base.tracing(), base.auth(), base.audit(), base.cache(), base.redis(), base.health(), retention);
        try (RegistryServer server = RegistryServer.start(config)) {
            RegistryClient client = new RegistryClient(server.baseUri());
            byte[] first = image(client, "first");
            byte[] second = image(client, "second");

            HttpResponse<byte[]> created = client.putManifest("prod/app", "v1", TestManifests.OCI_MANIFEST, first);
            HttpResponse<byte[]> samePush = client.putManifest("prod/app", "v1", TestManifests.OCI_MANIFEST, first);
            HttpResponse<byte[]> overwrite = client.putManifest("prod/app", "v1", TestManifests.OCI_MANIFEST, second);
            HttpResponse<byte[]> deleteTag = client.delete("v2/prod/app/manifests/v1");
            HttpResponse<byte[]> mutable = client.putManifest("prod/app", "dev", TestManifests.OCI_MANIFEST, second);
            HttpResponse<byte[]> moveMutable = client.putManifest("prod/app", "dev", TestManifests.OCI_MANIFEST, first);

            assertThat(created.statusCode()).isEqualTo(201);
            assertThat(samePush.statusCode()).isEqualTo(201);
            assertThat(overwrite.statusCode()).isEqualTo(403);
            JsonNode error = new ObjectMapper().readTree(overwrite.body()).path("errors").path(0);
            assertThat(error.path("code").asText()).isEqualTo("DENIED");
            assertThat(error.path("message").asText()).contains("tag v1 of prod/app is immutable");
            assertThat(deleteTag.statusCode()).isEqualTo(403);
            assertThat(mutable.statusCode()).isEqualTo(201);
            assertThat(moveMutable.statusCode()).isEqualTo(201);
            assertThat(client.get("v2/prod/app/manifests/v1", "Accept", TestManifests.OCI_MANIFEST).body()).isEqualTo(first);
        }
    }

    private static byte[] image(RegistryClient client, String name) {
        byte[] config = ("{\"name\":\"" + name + "\"}").getBytes(StandardCharsets.UTF_8);
        byte[] layer = ("layer of " + name).getBytes(StandardCharsets.UTF_8);
        client.pushBlob("prod/app", config);
        client.pushBlob("prod/app", layer);
        return TestManifests.image(Blob.of(config), List.of(Blob.of(layer)), null);
    }
}
