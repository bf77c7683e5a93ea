package io.entrepot.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.entrepot.config.CacheConfig;
import io.entrepot.config.HealthConfig;
import io.entrepot.config.RedisConfig;
import io.entrepot.config.RegistryConfig;
import io.entrepot.http.RegistryServer;
import io.entrepot.testing.RedisServer;
import io.entrepot.testing.RegistryClient;
import io.entrepot.testing.TestConfigs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two registry instances on one filesystem root sharing one real Redis, as behind a load
 * balancer: lookups hit after the first read, a delete on one instance is seen by the other, and
 * requests keep succeeding while Redis is stopped.
 */
@Tag("external")
class SharedRedisCacheTest {

    private static final String MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";

    @TempDir
    Path directory;

    private RedisServer redis;
    private RegistryServer first;
    private RegistryServer second;
    private RegistryClient firstClient;
    private RegistryClient secondClient;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start(directory.resolve("redis"));
        first = RegistryServer.start(config());
        second = RegistryServer.start(config());
        firstClient = new RegistryClient(first.baseUri());
        secondClient = new RegistryClient(second.baseUri());
    }

    @AfterEach
    void stop() throws Exception {
        try (RedisServer stopRedis = redis; RegistryServer stopFirst = first; RegistryServer stopSecond = second) {
            // closed in reverse order by try-with-resources
        }
    }

    private RegistryConfig config() {
        RegistryConfig base = TestConfigs.config(TestConfigs.filesystem(directory.resolve("storage")), true);
        RedisConfig redisConfig = new RedisConfig(List.of(redis.addr()), null, null, null, 0,
                Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(1), new RedisConfig.Pool(0, 0, Duration.ZERO), false);
        return new RegistryConfig(base.version(), base.log(), base.storage(), base.http(), base.metrics(), base.tracing(),
                new CacheConfig(CacheConfig.BlobDescriptor.REDIS, 1000), redisConfig, HealthConfig.DEFAULT);
    }

    @Test
    void blobHead_secondRead_hitsCache() {
        String digest = firstClient.pushBlob("team/app", "layer one".getBytes(StandardCharsets.UTF_8));
        long hitsBefore = second.cache().statistics().hits();

        assertThat(secondClient.head("v2/team/app/blobs/" + digest).statusCode()).isEqualTo(200);
        assertThat(secondClient.head("v2/team/app/blobs/" + digest).statusCode()).isEqualTo(200);

        // The push on the first instance filled Redis, so even the second instance's first read hits.
        assertThat(second.cache().statistics().hits() - hitsBefore).isGreaterThanOrEqualTo(4);
        assertThat(second.cache().statistics().requests()).isEqualTo(second.cache().statistics().hits() + second.cache().statistics().misses());
    }

    @Test
    void blobDelete_onFirst_seenBySecond() {
        String digest = firstClient.pushBlob("team/app", "deleted layer".getBytes(StandardCharsets.UTF_8));
        assertThat(secondClient.head("v2/team/app/blobs/" + digest).statusCode()).isEqualTo(200);

        assertThat(firstClient.delete("v2/team/app/blobs/" + digest).statusCode()).isEqualTo(202);

        assertThat(secondClient.head("v2/team/app/blobs/" + digest).statusCode()).isEqualTo(404);
        assertThat(secondClient.get("v2/team/app/blobs/" + digest).statusCode()).isEqualTo(404);
    }

    @Test
    void manifestDelete_onFirst_seenBySecond() {
        String manifestDigest = pushImage(firstClient, "team/app", "v1");
        assertThat(secondClient.get("v2/team/app/manifests/" + manifestDigest, "Accept", MANIFEST_TYPE).statusCode()).isEqualTo(200);

        assertThat(firstClient.delete("v2/team/app/manifests/" + manifestDigest).statusCode()).isEqualTo(202);

        assertThat(secondClient.get("v2/team/app/manifests/" + manifestDigest, "Accept", MANIFEST_TYPE).statusCode()).isEqualTo(404);
        assertThat(secondClient.head("v2/team/app/manifests/" + manifestDigest, "Accept", MANIFEST_TYPE).statusCode()).isEqualTo(404);
    }

    @Test
    void redisStopped_pushAndPullStillSucceed() throws Exception {
        String before = pushImage(firstClient, "team/app", "before");
        redis.stop();

        String during = pushImage(secondClient, "team/app", "during");
        assertThat(firstClient.get("v2/team/app/manifests/before", "Accept", MANIFEST_TYPE).statusCode()).isEqualTo(200);
        assertThat(firstClient.get("v2/team/app/manifests/" + during, "Accept", MANIFEST_TYPE).statusCode()).isEqualTo(200);
        assertThat(secondClient.get("v2/team/app/manifests/" + before, "Accept", MANIFEST_TYPE).statusCode()).isEqualTo(200);
        long missesDuringOutage = first.cache().statistics().misses();

        redis.start();
        assertThat(firstClient.get("v2/team/app/manifests/before", "Accept", MANIFEST_TYPE).statusCode()).isEqualTo(200);
        assertThat(first.cache().statistics().misses()).isGreaterThan(0);
        assertThat(missesDuringOutage).isGreaterThan(0);
    }

    /** Pushes a config blob, one layer and a manifest tagged {@code tag}; returns the manifest digest. */
    private static String pushImage(RegistryClient client, String repository, String tag) {
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"tag\":\"" + tag + "\"}").getBytes(StandardCharsets.UTF_8);
        byte[] layer = ("layer of " + tag).getBytes(StandardCharsets.UTF_8);
        String configDigest = client.pushBlob(repository, config);
        String layerDigest = client.pushBlob(repository, layer);
        String manifest = """
                {"schemaVersion":2,"mediaType":"%s",
                 "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},
                 "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":%d}]}
                """.formatted(MANIFEST_TYPE, configDigest, config.length, layerDigest, layer.length);
        byte[] bytes = manifest.getBytes(StandardCharsets.UTF_8);
        assertThat(client.putManifest(repository, tag, MANIFEST_TYPE, bytes).statusCode()).isEqualTo(201);
        return RegistryClient.sha256(bytes);
    }
}
