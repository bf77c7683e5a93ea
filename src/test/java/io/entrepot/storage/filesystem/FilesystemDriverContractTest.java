package io.entrepot.storage.filesystem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.entrepot.storage.StorageDriver;
import io.entrepot.storage.StorageDriverContractTest;
import io.entrepot.storage.WalkVisitor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class FilesystemDriverContractTest extends StorageDriverContractTest {

    @TempDir
    Path root;

    @Override
    protected StorageDriver newDriver() throws IOException {
        return new FilesystemDriver(root, FilesystemDriver.DEFAULT_MAX_THREADS);
    }

    @Test
    void putContent_blobPath_matchesDistributionLayout() throws IOException {
        driver.putContent("/docker/registry/v2/blobs/x/data", bytes("blob"));

        assertThat(root.resolve("docker/registry/v2/blobs/x/data")).hasBinaryContent(bytes("blob"));
    }

    @Test
    void getContent_fileWrittenByDistribution_isServed() throws IOException {
        Path link = root.resolve("docker/registry/v2/repositories/library/alpine/_manifests/tags/latest/current/link");
        Files.createDirectories(link.getParent());
        Files.write(link, bytes("sha256:abc"));

        assertThat(driver.getContent("/docker/registry/v2/repositories/library/alpine/_manifests/tags/latest/current/link"))
                .isEqualTo(bytes("sha256:abc"));
    }

    @Test
    void listAndWalk_leftoverTempFile_notShown() throws IOException {
        driver.putContent("/dir/file", bytes("x"));
        // A process killed between writing and renaming leaves such a file behind.
        Files.write(root.resolve("dir/" + FilesystemDriver.TEMP_PREFIX + "leftover"), bytes("partial"));

        List<String> walked = new ArrayList<>();
        driver.walk("/dir", info -> {
            walked.add(info.path());
            return WalkVisitor.Decision.CONTINUE;
        });

        assertThat(driver.list("/dir")).containsExactly("/dir/file");
        assertThat(walked).containsExactly("/dir/file");
    }

    @Test
    @Timeout(60)
    void list_duringPutContent_neverShowsTempFiles() throws Exception {
        driver.putContent("/dir/file", bytes("x"));
        long deadline = System.nanoTime() + Duration.ofSeconds(1).toNanos();
        AtomicBoolean writing = new AtomicBoolean(true);
        ExecutorService executor = Executors.newSingleThreadExecutor();
        List<List<String>> unexpected = new ArrayList<>();
        try {
            Future<?> writer = executor.submit(() -> {
                for (int i = 0; System.nanoTime() < deadline; i++) {
                    driver.putContent("/dir/file", bytes("version " + i));
                }
                writing.set(false);
                return null;
            });
            while (writing.get() && System.nanoTime() < deadline) {
                List<String> children = driver.list("/dir");
                if (!children.equals(List.of("/dir/file")) && unexpected.size() < 5) {
                    unexpected.add(children);
                }
            }
            writer.get(30, TimeUnit.SECONDS);
        } finally {
            executor.shutdownNow();
        }

        assertThat(unexpected).isEmpty();
    }

    @Test
    void constructor_maxThreadsBelowMinimum_rejectedNamingValue() {
        assertThatThrownBy(() -> new FilesystemDriver(root, 24))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxthreads")
                .hasMessageContaining("24");
    }

    @Test
    void constructor_maxThreadsAtMinimum_accepted() throws IOException {
        assertThat(new FilesystemDriver(root, FilesystemDriver.MIN_MAX_THREADS).root()).isEqualTo(root.toAbsolutePath().normalize());
    }
}
