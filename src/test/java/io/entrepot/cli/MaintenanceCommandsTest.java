package io.entrepot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrepot.registry.Digest;
import io.entrepot.registry.Registry;
import io.entrepot.registry.RepositoryName;
import io.entrepot.registry.StorageLayout;
import io.entrepot.storage.CheckedStorageDriver;
import io.entrepot.storage.filesystem.FilesystemDriver;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code garbage-collect} and {@code verify} as an operator runs them, with good and bad input. */
class MaintenanceCommandsTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream originalOut;
    private PrintStream originalErr;
    private Path config;
    private Digest orphan;

    @BeforeEach
    void prepare() throws Exception {
        originalOut = System.out;
        originalErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        Path root = dir.resolve("storage");
        config = dir.resolve("config.yml");
        Files.writeString(config, "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: " + root + "\n");
        Registry registry = new Registry(CheckedStorageDriver.wrap(new FilesystemDriver(root, 25)), Clock.systemUTC());
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
                .contains("1 unreferenced blobs kept within the grace period");
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
}
