package io.entrepot.maintenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.entrepot.config.RetentionConfig;
import io.entrepot.registry.Digest;
import io.entrepot.registry.ErrorCode;
import io.entrepot.registry.Reference;
import io.entrepot.registry.Registry;
import io.entrepot.registry.RegistryException;
import io.entrepot.registry.RepositoryName;
import io.entrepot.registry.Tag;
import io.entrepot.storage.CheckedStorageDriver;
import io.entrepot.storage.StorageDriver;
import io.entrepot.storage.inmemory.InMemoryDriver;
import io.entrepot.testing.MutableClock;
import io.entrepot.testing.TestManifests;
import io.entrepot.testing.TestManifests.Blob;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class RetentionTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final StorageDriver driver = CheckedStorageDriver.wrap(new InMemoryDriver(clock));
    private final Registry registry = new Registry(driver, clock);
    private final RepositoryName app = RepositoryName.parse("team/app");
    private int counter;

    @Test
    void keepLatest_removesOlderTags() throws Exception {
        pushDaily("a", "b", "c", "d");

        Retention.Report report = retention(rule(2, List.of(), null, null)).run(false);

        assertThat(registry.tags().list(app)).extracting(Tag::value).containsExactly("c", "d");
        assertThat(reasons(report)).containsEntry("d", "among the 2 most recently pushed tags")
                .containsEntry("a", "no rule keeps it");
    }

    @Test
    void keepTags_keepsMatchingOnly() throws Exception {
        pushDaily("v1.0", "v1.1", "dev-123", "latest");

        Retention.Report report = retention(rule(null, List.of("v*", "latest"), null, null)).run(false);

        assertThat(registry.tags().list(app)).extracting(Tag::value).containsExactly("latest", "v1.0", "v1.1");
        assertThat(reasons(report)).containsEntry("v1.0", "matches keeptags pattern \"v*\"");
    }

    @Test
    void removeTagsOlderThan_keepsYoungTags() throws Exception {
        pushDaily("old", "older-but-kept", "new");
        clock.advance(Duration.ofHours(12));

        retention(rule(null, List.of("older-*"), Duration.ofHours(40), null)).run(false);

        assertThat(registry.tags().list(app)).extracting(Tag::value).containsExactly("new", "older-but-kept");
    }

    @Test
    void removeUntaggedOlderThan_removesOnlyOldUntagged() throws Exception {
        Blob oldUntagged = pushImage(null);
        clock.advance(Duration.ofDays(10));
        Blob youngUntagged = pushImage(null);
        Blob tagged = pushImage("v1");
        clock.advance(Duration.ofDays(1));

        Retention.Report report = retention(rule(null, List.of(), null, Duration.ofDays(7))).run(false);

        assertThat(report.repositories().getFirst().manifestsRemoved()).extracting(Digest::toString).containsExactly(oldUntagged.digest());
        assertThat(registry.manifests().contains(app, Digest.parse(youngUntagged.digest()))).isTrue();
        assertThat(registry.manifests().contains(app, Digest.parse(tagged.digest()))).isTrue();
    }

    @Test
    void dryRun_changesNothingAndReportsSame() throws Exception {
        pushDaily("a", "b", "c");
        RetentionConfig config = rule(1, List.of(), null, Duration.ofHours(1));

        Retention.Report dry = retention(config).run(true);
        List<Tag> tagsAfterDryRun = registry.tags().list(app);
        Retention.Report real = retention(config).run(false);

        assertThat(tagsAfterDryRun).hasSize(3);
        assertThat(dry.repositories().getFirst().tags()).isEqualTo(real.repositories().getFirst().tags());
        assertThat(dry.repositories().getFirst().manifestsRemoved()).hasSize(2)
                .containsExactlyInAnyOrderElementsOf(real.repositories().getFirst().manifestsRemoved());
    }

    @Test
    void ruleForOtherRepositories_leavesRepositoryAlone() throws Exception {
        pushDaily("a", "b");
        RetentionConfig config = new RetentionConfig(Duration.ZERO, false,
                List.of(new RetentionConfig.Rule("other/*", 0, List.of(), null, null)), List.of());

        Retention.Report report = retention(config).run(false);

        assertThat(report.repositories()).isEmpty();
        assertThat(registry.tags().list(app)).hasSize(2);
    }

    @Test
    void immutableTag_keptByRetentionAndNeverMoved() throws Exception {
        RetentionConfig config = new RetentionConfig(Duration.ZERO, false,
                List.of(new RetentionConfig.Rule("team/**", 0, List.of(), null, null)),
                List.of(new RetentionConfig.ImmutableTags("team/*", List.of("v*"))));
        registry.manifests().setImmutableTags(Retention.immutableTags(config));
        Blob v1 = pushImage("v1");
        pushImage("dev");

        Retention.Report report = retention(config).run(false);

        assertThat(registry.tags().list(app)).extracting(Tag::value).containsExactly("v1");
        assertThat(reasons(report)).containsEntry("v1", "immutable (pattern \"v*\")");
        assertDenied(() -> pushImage("v1"));
        assertDenied(() -> registry.manifests().delete(app, Reference.parse("v1")));
        assertDenied(() -> registry.manifests().delete(app, Reference.parse(v1.digest())));
        byte[] same = registry.manifests().get(app, Reference.parse("v1")).content();
        registry.manifests().put(app, Reference.parse("v1"), same, TestManifests.OCI_MANIFEST);
        assertThat(registry.tags().resolve(app, new Tag("v1")).orElseThrow().toString()).isEqualTo(v1.digest());
    }

    private interface Action {
        void run() throws Exception;
    }

    private static void assertDenied(Action action) {
        assertThatThrownBy(action::run)
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.DENIED))
                .hasMessageContaining("v1 of team/app is immutable");
    }

    private Retention retention(RetentionConfig config) {
        return new Retention(registry, clock, config);
    }

    private static RetentionConfig rule(Integer keepLatest, List<String> keepTags, Duration olderThan, Duration untaggedOlderThan) {
        return new RetentionConfig(Duration.ZERO, false,
                List.of(new RetentionConfig.Rule("team/*", keepLatest, keepTags, olderThan, untaggedOlderThan)), List.of());
    }

    private static Map<String, String> reasons(Retention.Report report) {
        return report.repositories().getFirst().tags().stream()
                .collect(Collectors.toMap(t -> t.tag().value(), Retention.TagDecision::reason));
    }

    /** Pushes one image per tag, a day apart, in the order given. */
    private void pushDaily(String... tags) throws Exception {
        for (String tag : tags) {
            pushImage(tag);
            clock.advance(Duration.ofDays(1));
        }
    }

    private Blob pushImage(String tag) throws Exception {
        Blob config = pushBlob("config " + counter);
        Blob layer = pushBlob("layer " + counter++);
        byte[] manifest = TestManifests.image(config, List.of(layer), null);
        Blob blob = Blob.of(manifest);
        registry.manifests().put(app, Reference.parse(tag == null ? blob.digest() : tag), manifest, TestManifests.OCI_MANIFEST);
        return blob;
    }

    private Blob pushBlob(String text) throws Exception {
        byte[] content = text.getBytes(StandardCharsets.UTF_8);
        registry.uploads().uploadWhole(app, new ByteArrayInputStream(content), Digest.sha256(content));
        return Blob.of(content);
    }
}
