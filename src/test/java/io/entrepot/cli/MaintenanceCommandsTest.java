package io.entrepot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrepot.registry.Digest;
import io.entrepot.registry.Registry;
import io.entrepot.registry.RepositoryName;
import io.entrepot.registry.StorageLayout;
import io.entrepot.registry.Tag;
import io.entrepot.storage.CheckedStorageDriver;
import io.entrepot.storage.filesystem.FilesystemDriver;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code garbage-collect}, {@code verify} and {@code retention} as an operator runs them, with good and bad input. */
class MaintenanceCommandsTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream originalOut;
    private PrintStream originalErr;
    private Path config;
    private Path root;
    private Registry registry;
    private Digest orphan;

    @BeforeEach
    void prepare() throws Exception {
        originalOut = System.out;
        originalErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        root = dir.resolve("storage");
        config = dir.resolve("config.yml");
        Files.writeString(config, "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: " + root + "\n");
        registry = new Registry(CheckedStorageDriver.wrap(new FilesystemDriver(root, 25)), Clock.systemUTC());
        byte[] content = "an uploaded layer no manifest names".getBytes(StandardCharsets.UTF_8);
        orphan = Digest.sha256(content);
        registry.uploads().uploadWhole(RepositoryName.parse("team/app"), new ByteArrayInputStream(content), orphan);
    }

    @AfterEach
    void restoreOutput() {
        System.setOut(originalOut);
        System.setErr(originalErr);
    }

    @Test
    void garbageCollect_dryRunJson_reportsWithoutDeleting() throws Exception {
        int status = Main.run("garbage-collect", config.toString(), "--dry-run", "--json", "--grace", "0s");

        assertThat(status).isZero();
        JsonNode report = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
        assertThat(report.path("dryRun").asBoolean()).isTrue();
        assertThat(report.path("total").path("blobsRemoved").asInt()).isEqualTo(1);
        assertThat(report.path("repositories").path(0).path("name").asText()).isEqualTo("team/app");
        assertThat(report.path("blobsRemoved").path(0).path("digest").asText()).isEqualTo(orphan.toString());
        assertThat(Files.exists(dir.resolve("storage" + StorageLayout.blobData(orphan)))).isTrue();
    }

    @Test
    void garbageCollect_defaultGrace_keepsNewBlob() {
        int status = Main.run("garbage-collect", config.toString());

        assertThat(status).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("removed 0 manifests and 0 of 1 blobs")
                .contains("kept within the grace period: 0 untagged manifests and 1 blobs");
    }

    @Test
    void garbageCollect_sharedBlob_countedOnce() throws Exception {
        byte[] content = "an uploaded layer no manifest names".getBytes(StandardCharsets.UTF_8);
        registry.uploads().uploadWhole(RepositoryName.parse("team/tool"), new ByteArrayInputStream(content), orphan);

        int status = Main.run("garbage-collect", config.toString(), "--dry-run", "--grace", "0s");

        String report = out.toString(StandardCharsets.UTF_8);
        assertThat(status).as("exit status; stderr: %s", err).isZero();
        assertThat(report).contains("team/app: would remove 0 manifests, 1 blobs (0 only here, 1 shared with other repositories)");
        assertThat(report).contains("team/tool: would remove 0 manifests, 1 blobs (0 only here, 1 shared with other repositories)");
        assertThat(report).contains("  blob " + orphan + " 35 B shared");
        assertThat(report).contains("counted once in the total");
        assertThat(report).contains("would remove 0 manifests and 1 of 1 blobs");
    }

    @Test
    void garbageCollect_sharedBlobJson_perRepository() throws Exception {
        byte[] content = "an uploaded layer no manifest names".getBytes(StandardCharsets.UTF_8);
        registry.uploads().uploadWhole(RepositoryName.parse("team/tool"), new ByteArrayInputStream(content), orphan);

        int status = Main.run("garbage-collect", config.toString(), "--dry-run", "--json", "--grace", "0s");

        assertThat(status).as("exit status; stderr: %s", err).isZero();
        JsonNode report = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
        JsonNode app = report.path("repositories").path(0);
        assertThat(app.path("blobsShared").asInt()).isEqualTo(1);
        assertThat(app.path("blobsOnlyHere").asInt()).isZero();
        assertThat(app.path("blobsRemoved").path(0).path("shared").asBoolean()).isTrue();
        assertThat(report.path("total").path("blobsRemoved").asInt()).isEqualTo(1);
        assertThat(report.path("total").has("manifestsKeptByGrace")).isTrue();
    }

    @Test
    void garbageCollect_deleteUntagged_linesAccountForTotal() throws Exception {
        Digest untagged = pushUntaggedByNewerPush(RepositoryName.parse("team/app"));

        int status = Main.run("garbage-collect", config.toString(), "-m", "--grace", "0s");

        String report = out.toString(StandardCharsets.UTF_8);
        assertThat(status).as("exit status; stderr: %s", err).isZero();
        assertThat(report).contains("team/app: removed 1 manifests, 3 blobs");
        assertThat(report).contains("  manifest " + untagged);
        assertThat(report).containsPattern("  blob " + untagged + " \\d+ B manifest\n");
        Matcher total = Pattern.compile("total: removed 1 manifests and (\\d+) of \\d+ blobs, freeing (\\d+) B").matcher(report);
        assertThat(total.find()).as("total line in %s", report).isTrue();
        Matcher blobLines = Pattern.compile("(?m)^  blob \\S+ (\\d+) B").matcher(report);
        int listed = 0;
        long listedBytes = 0;
        while (blobLines.find()) {
            listed++;
            listedBytes += Long.parseLong(blobLines.group(1));
        }
        assertThat(listed).isEqualTo(Integer.parseInt(total.group(1)));
        assertThat(listedBytes).isEqualTo(Long.parseLong(total.group(2)));
    }

    @Test
    void garbageCollect_deleteUntaggedJson_flagsManifestBlob() throws Exception {
        Digest first = pushUntaggedByNewerPush(RepositoryName.parse("team/app"));

        int status = Main.run("garbage-collect", config.toString(), "-m", "--json", "--grace", "0s");

        assertThat(status).as("exit status; stderr: %s", err).isZero();
        JsonNode report = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
        JsonNode blobs = report.path("repositories").path(0).path("blobsRemoved");
        assertThat(blobs.size()).isEqualTo(report.path("total").path("blobsRemoved").asInt());
        List<String> manifests = new ArrayList<>();
        blobs.forEach(blob -> {
            if (blob.path("manifest").asBoolean()) {
                manifests.add(blob.path("digest").asText());
            }
        });
        assertThat(manifests).containsExactly(first.toString());
        assertThat(report.path("unlinkedBlobsRemoved").isArray()).isTrue();
        assertThat(report.path("unlinkedBlobsRemoved").size()).isZero();
    }

    @Test
    void garbageCollect_invalidGrace_exitsWithUsageError() {
        int status = Main.run("garbage-collect", config.toString(), "--grace", "soon");

        assertThat(status).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("soon").contains("30s, 90m or 2h");
    }

    @Test
    void garbageCollect_missingConfig_exitsWithUsageError() {
        int status = Main.run("garbage-collect", dir.resolve("absent.yml").toString());

        assertThat(status).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("absent.yml");
    }

    @Test
    void verify_corruptBlob_exitsNonZeroWithPath() throws Exception {
        Files.writeString(dir.resolve("storage" + StorageLayout.blobData(orphan)), "flipped bits");

        int status = Main.run("verify", config.toString());

        assertThat(status).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("corrupt " + StorageLayout.blobData(orphan))
                .contains("1 corrupt, 0 missing, 0 orphaned");
    }

    @Test
    void verify_invalidParallelism_exitsWithUsageError() {
        int status = Main.run("verify", config.toString(), "--parallel", "0");

        assertThat(status).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--parallel must be from 1 to 256, got 0");
    }

    @Test
    void verify_json_listsCorruptBlob() throws Exception {
        Files.writeString(dir.resolve("storage" + StorageLayout.blobData(orphan)), "flipped bits");

        int status = Main.run("verify", config.toString(), "--json");

        assertThat(status).isEqualTo(1);
        JsonNode report = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
        assertThat(report.path("blobsChecked").asInt()).isEqualTo(1);
        assertThat(report.path("damaged").asBoolean()).isTrue();
        assertThat(report.path("counts").path("corrupt").asInt()).isEqualTo(1);
        assertThat(report.path("counts").path("missing").asInt()).isZero();
        assertThat(report.path("problems").path(0).path("kind").asText()).isEqualTo("corrupt");
        assertThat(report.path("problems").path(0).path("path").asText()).isEqualTo(StorageLayout.blobData(orphan));
        assertThat(report.path("quarantined").isArray()).isTrue();
    }

    @Test
    void verify_jsonHealthyStorage_exitsZero() throws Exception {
        int status = Main.run("verify", config.toString(), "--json");

        assertThat(status).isZero();
        JsonNode report = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
        assertThat(report.path("damaged").asBoolean(true)).isFalse();
        assertThat(report.path("blobsChecked").asInt()).isEqualTo(1);
        assertThat(report.path("counts").path("corrupt").asInt()).isZero();
        assertThat(report.path("problems")).isEmpty();
    }

    @Test
    void retention_dryRunJson_reportsDecisions() throws Exception {
        RepositoryName app = RepositoryName.parse("team/app");
        pushTagged(app, "old", "first config");
        pushTagged(app, "new", "second config");
        Path oldLink = dir.resolve("storage" + StorageLayout.tag(app, new io.entrepot.registry.Tag("old")) + "/current/link");
        Files.setLastModifiedTime(oldLink, java.nio.file.attribute.FileTime.from(java.time.Instant.now().minusSeconds(3600)));
        Files.writeString(config, "retention:\n  rules:\n    - repositories: team/**\n      keeplatest: 1\n",
                java.nio.file.StandardOpenOption.APPEND);

        int status = Main.run("retention", config.toString(), "--dry-run", "--json");

        assertThat(status).as("stderr: %s", err).isZero();
        JsonNode report = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
        assertThat(report.path("dryRun").asBoolean()).isTrue();
        JsonNode repository = report.path("repositories").path(0);
        assertThat(repository.path("name").asText()).isEqualTo("team/app");
        assertThat(repository.path("rule").asText()).isEqualTo("team/**");
        assertThat(repository.path("tags")).hasSize(2);
        for (JsonNode tag : repository.path("tags")) {
            String expected = tag.path("tag").asText().equals("new") ? "keep" : "remove";
            assertThat(tag.path("decision").asText()).as("decision for %s", tag.path("tag").asText()).isEqualTo(expected);
            assertThat(tag.path("reason").asText()).isNotBlank();
            assertThat(tag.path("digest").asText()).startsWith("sha256:");
        }
        assertThat(report.path("total").path("tagsRemoved").asInt()).isEqualTo(1);
        assertThat(Files.exists(oldLink)).as("a dry run keeps the tag").isTrue();
    }

    /** Runs the README's maintenance commands on examples/config.yml, with its storage moved to this test's directory. */
    @ParameterizedTest
    @CsvSource({"garbage-collect, --dry-run", "verify, --json", "retention, --dry-run"})
    void readmeCommand_exampleConfig_exitsZero(String command, String option) throws Exception {
        String example = Files.readString(Path.of("examples/config.yml"));
        assertThat(example).contains("rootdirectory: ./data");
        Files.writeString(config, example.replace("rootdirectory: ./data", "rootdirectory: " + root));

        int status = Main.run(command, option, config.toString());

        assertThat(status).as("exit status; stderr: %s", err).isZero();
    }

    @ParameterizedTest
    @CsvSource({"garbage-collect, --dry-run", "garbage-collect, --json", "verify, --json", "retention, --dry-run"})
    void missingRootDirectory_exitsTwoAndCreatesNothing(String command, String option) throws Exception {
        Path typo = dir.resolve("typo-root");
        Files.writeString(config, """
                version: 0.1
                storage:
                  filesystem: {rootdirectory: %s}
                retention:
                  rules:
                    - repositories: team/**
                      keeplatest: 1
                """.formatted(typo));

        int status = Main.run(command, config.toString(), option);

        assertThat(status).as("exit status; stdout: %s", out).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("storage.filesystem.rootdirectory").contains(typo.toString());
        assertThat(out.toString(StandardCharsets.UTF_8)).as("no report").isEmpty();
        assertThat(typo).as("root directory not created").doesNotExist();
    }

    @Test
    void garbageCollect_forcedProgress_printsToStderr() throws Exception {
        int status = Main.run("garbage-collect", config.toString(), "--progress", "--grace", "0s");

        assertThat(status).isZero();
        String progress = err.toString(StandardCharsets.UTF_8);
        assertThat(progress).contains("\r\033[Kscan 1/1").contains("\r\033[Kfence 1/1").contains("\r\033[Ksweep 1/1");
        assertThat(progress).as("the status line is cleared at the end").endsWith("\r\033[K");
        assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("\033").contains("removed 0 manifests and 1 of 1 blobs");
    }

    @Test
    void garbageCollect_notTerminal_showsNoProgress() {
        int status = Main.run("garbage-collect", config.toString(), "--dry-run", "--grace", "0s");

        assertThat(status).isZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).doesNotContain("\033[K");
    }

    /** Pushes {@code v1} twice with different configs and returns the first manifest, now untagged. */
    private Digest pushUntaggedByNewerPush(RepositoryName repository) throws Exception {
        pushTagged(repository, "v1", "{\"first\":true}");
        Digest first = registry.tags().resolve(repository, new Tag("v1")).orElseThrow();
        pushTagged(repository, "v1", "{\"second\":true}");
        return first;
    }

    private void pushTagged(RepositoryName repository, String tag, String configText) throws Exception {
        byte[] configBlob = configText.getBytes(StandardCharsets.UTF_8);
        registry.uploads().uploadWhole(repository, new ByteArrayInputStream(configBlob), Digest.sha256(configBlob));
        byte[] manifest = io.entrepot.testing.TestManifests.image(io.entrepot.testing.TestManifests.Blob.of(configBlob),
                java.util.List.of(), null);
        registry.manifests().put(repository, io.entrepot.registry.Reference.parse(tag), manifest,
                io.entrepot.testing.TestManifests.OCI_MANIFEST);
    }
}
