package io.entrepot.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The behaviour every {@link StorageDriver} must have, as its Javadoc states it. A driver's test
 * extends this class and returns a fresh, empty driver from {@link #newDriver}. Each test runs
 * that driver behind {@link CheckedStorageDriver#wrap}, as the registry does.
 *
 * <p>Nothing here may assume a particular backend: no local files, no exact modification times
 * (object stores such as S3 stamp them with the server's clock) and no listing order.
 */
public abstract class StorageDriverContractTest {

    /** How far a modification time may lie from this JVM's clock, for backends with their own clock. */
    private static final Duration CLOCK_TOLERANCE = Duration.ofMinutes(5);

    private static final int LARGE_CONTENT_SIZE = 5 * 1024 * 1024;

    /** Chunk sizes that match no buffer size, so that writes straddle every internal boundary. */
    private static final int[] ODD_CHUNK_SIZES = {1, 3, 4_099, 65_521, 7, 131_071, 999_983};

    /** The driver under test, unwrapped, for tests that observe what reaches it. */
    protected StorageDriver rawDriver;

    /** The driver under test behind {@link CheckedStorageDriver}. */
    protected StorageDriver driver;

    /** Returns a new driver with nothing stored in it. */
    protected abstract StorageDriver newDriver() throws Exception;

    @BeforeEach
    void createDriver() throws Exception {
        rawDriver = newDriver();
        driver = CheckedStorageDriver.wrap(rawDriver);
    }

    // ---- name and redirectUrl ----

    @Test
    void name_isNotBlank() {
        assertThat(driver.name()).isNotBlank();
    }

    @Test
    void redirectUrl_existingFile_isEmptyOrHttpUrl() throws IOException {
        driver.putContent("/r/file", bytes("x"));

        driver.redirectUrl("/r/file", "GET").ifPresent(url -> assertThat(url).matches("https?://.+"));
    }

    // ---- putContent and getContent ----

    @Test
    void putContent_thenGetContent_returnsSameBytes() throws IOException {
        driver.putContent("/a/file", bytes("hello"));

        assertThat(driver.getContent("/a/file")).isEqualTo(bytes("hello"));
    }

    @Test
    void putContent_emptyContent_storesEmptyFile() throws IOException {
        driver.putContent("/a/empty", new byte[0]);

        assertThat(driver.getContent("/a/empty")).isEmpty();
        assertThat(driver.stat("/a/empty").size()).isZero();
    }

    @Test
    void putContent_existingFile_replacesWholeContent() throws IOException {
        driver.putContent("/a/file", bytes("a longer first version"));
        driver.putContent("/a/file", bytes("short"));

        assertThat(driver.getContent("/a/file")).isEqualTo(bytes("short"));
        assertThat(driver.stat("/a/file").size()).isEqualTo(5);
    }

    @Test
    void putContent_deepPath_createsParentDirectories() throws IOException {
        driver.putContent("/a/b/c/d/file", bytes("x"));

        assertThat(driver.stat("/a/b/c").directory()).isTrue();
        assertThat(driver.list("/a/b/c")).containsExactly("/a/b/c/d");
    }

    @Test
    void putContent_unusualValidCharacters_roundTrips() throws IOException {
        String path = "/Upper-lower_09.x/.hidden/...";
        driver.putContent(path, bytes("x"));

        assertThat(driver.getContent(path)).isEqualTo(bytes("x"));
    }

    @Test
    void getContent_missingPath_throwsPathNotFound() throws IOException {
        driver.putContent("/a/other", bytes("x"));

        assertThatThrownBy(() -> driver.getContent("/a/missing"))
                .isInstanceOf(PathNotFoundException.class)
                .hasMessageContaining("/a/missing");
    }

    @Test
    void getContent_directory_throwsPathNotFound() throws IOException {
        driver.putContent("/a/b/file", bytes("x"));

        assertThatThrownBy(() -> driver.getContent("/a/b")).isInstanceOf(PathNotFoundException.class);
    }

    @Test
    void pathBelowFile_everyMethod_throwsPathNotFound() throws IOException {
        driver.putContent("/a/file", bytes("x"));
        String below = "/a/file/child";

        assertThatThrownBy(() -> driver.getContent(below)).isInstanceOf(PathNotFoundException.class);
        assertThatThrownBy(() -> driver.reader(below, 0)).isInstanceOf(PathNotFoundException.class);
        assertThatThrownBy(() -> driver.stat(below)).isInstanceOf(PathNotFoundException.class);
        assertThatThrownBy(() -> driver.list(below)).isInstanceOf(PathNotFoundException.class);
        assertThatThrownBy(() -> driver.move(below, "/b/target")).isInstanceOf(PathNotFoundException.class);
        assertThatThrownBy(() -> driver.delete(below)).isInstanceOf(PathNotFoundException.class);
        assertThatThrownBy(() -> driver.walk(below, info -> WalkVisitor.Decision.CONTINUE)).isInstanceOf(PathNotFoundException.class);
        assertThat(driver.getContent("/a/file")).isEqualTo(bytes("x"));
    }

    // ---- reader ----

    @Test
    void reader_offsetZero_readsWholeFile() throws IOException {
        driver.putContent("/r/file", bytes("0123456789"));

        assertThat(read(driver.reader("/r/file", 0))).isEqualTo(bytes("0123456789"));
    }

    @Test
    void reader_middleOffset_readsRemainder() throws IOException {
        driver.putContent("/r/file", bytes("0123456789"));

        assertThat(read(driver.reader("/r/file", 4))).isEqualTo(bytes("456789"));
    }

    @Test
    void reader_offsetAtEnd_returnsEmptyStream() throws IOException {
        driver.putContent("/r/file", bytes("0123456789"));

        assertThat(read(driver.reader("/r/file", 10))).isEmpty();
    }

    @Test
    void reader_beyondEnd_throwsInvalidOffset() throws IOException {
        driver.putContent("/r/file", bytes("0123456789"));

        assertThatThrownBy(() -> driver.reader("/r/file", 11))
                .isInstanceOf(InvalidOffsetException.class)
                .hasMessageContaining("11");
    }

    @Test
    void reader_negativeOffset_throwsInvalidOffset() throws IOException {
        driver.putContent("/r/file", bytes("0123456789"));

        assertThatThrownBy(() -> driver.reader("/r/file", -1))
                .isInstanceOf(InvalidOffsetException.class)
                .hasMessageContaining("-1");
    }

    @Test
    void reader_missingPath_throwsPathNotFound() {
        assertThatThrownBy(() -> driver.reader("/r/missing", 0)).isInstanceOf(PathNotFoundException.class);
    }

    // ---- writer ----

    @Test
    void writer_newFile_sizeCountsEveryWrite() throws IOException {
        try (FileWriter writer = driver.writer("/w/file", false)) {
            assertThat(writer.size()).isZero();
            writer.write('a');
            assertThat(writer.size()).isEqualTo(1);
            writer.write(bytes("bcdef"));
            assertThat(writer.size()).isEqualTo(6);
            writer.write(bytes("xxghxx"), 2, 2);
            assertThat(writer.size()).isEqualTo(8);
        }

        assertThat(driver.getContent("/w/file")).isEqualTo(bytes("abcdefgh"));
    }

    @Test
    void writer_close_makesBytesVisible() throws IOException {
        try (FileWriter writer = driver.writer("/w/file", false)) {
            writer.write(bytes("12345"));
        }

        assertThat(driver.stat("/w/file").size()).isEqualTo(5);
        assertThat(read(driver.reader("/w/file", 0))).isEqualTo(bytes("12345"));
    }

    @Test
    void writer_reopenWithAppend_continuesAfterEarlierBytes() throws IOException {
        try (FileWriter writer = driver.writer("/w/upload", false)) {
            writer.write(bytes("hello "));
        }

        try (FileWriter writer = driver.writer("/w/upload", true)) {
            assertThat(writer.size()).isEqualTo(6);
            writer.write(bytes("world"));
            assertThat(writer.size()).isEqualTo(11);
        }

        assertThat(driver.getContent("/w/upload")).isEqualTo(bytes("hello world"));
        assertThat(driver.stat("/w/upload").size()).isEqualTo(11);
    }

    @Test
    void writer_appendAfterPutContent_continuesFile() throws IOException {
        driver.putContent("/w/file", bytes("abc"));

        try (FileWriter writer = driver.writer("/w/file", true)) {
            assertThat(writer.size()).isEqualTo(3);
            writer.write(bytes("def"));
        }

        assertThat(driver.getContent("/w/file")).isEqualTo(bytes("abcdef"));
    }

    @Test
    void writer_appendToMissingFile_createsIt() throws IOException {
        try (FileWriter writer = driver.writer("/w/new/file", true)) {
            assertThat(writer.size()).isZero();
            writer.write(bytes("abc"));
        }

        assertThat(driver.getContent("/w/new/file")).isEqualTo(bytes("abc"));
    }

    @Test
    void writer_withoutAppend_truncatesExistingFile() throws IOException {
        driver.putContent("/w/file", bytes("old content"));

        try (FileWriter writer = driver.writer("/w/file", false)) {
            assertThat(writer.size()).isZero();
            writer.write(bytes("new"));
        }

        assertThat(driver.getContent("/w/file")).isEqualTo(bytes("new"));
    }

    @Test
    void writer_commitThenClose_keepsContent() throws IOException {
        try (FileWriter writer = driver.writer("/w/file", false)) {
            writer.write(bytes("done"));
            writer.commit();
        }

        assertThat(driver.getContent("/w/file")).isEqualTo(bytes("done"));
    }

    @Test
    void writer_cancel_removesFile() throws IOException {
        FileWriter writer = driver.writer("/w/file", false);
        writer.write(bytes("discard me"));
        writer.cancel();

        assertThatThrownBy(() -> driver.stat("/w/file")).isInstanceOf(PathNotFoundException.class);
        assertThatThrownBy(() -> driver.getContent("/w/file")).isInstanceOf(PathNotFoundException.class);
    }

    @Test
    void writer_cancelAfterAppend_removesEarlierBytesToo() throws IOException {
        try (FileWriter writer = driver.writer("/w/file", false)) {
            writer.write(bytes("first part"));
        }

        FileWriter writer = driver.writer("/w/file", true);
        writer.write(bytes(" second part"));
        writer.cancel();

        assertThatThrownBy(() -> driver.stat("/w/file")).isInstanceOf(PathNotFoundException.class);
    }

    @Test
    void writer_largeOddChunks_readsBackIdentical() throws IOException {
        byte[] content = new byte[LARGE_CONTENT_SIZE];
        new Random(42).nextBytes(content);

        try (FileWriter writer = driver.writer("/w/large", false)) {
            int offset = 0;
            for (int i = 0; offset < content.length; i++) {
                int length = Math.min(ODD_CHUNK_SIZES[i % ODD_CHUNK_SIZES.length], content.length - offset);
                writer.write(content, offset, length);
                offset += length;
            }
            assertThat(writer.size()).isEqualTo(LARGE_CONTENT_SIZE);
        }

        assertThat(driver.stat("/w/large").size()).isEqualTo(LARGE_CONTENT_SIZE);
        try (InputStream in = driver.reader("/w/large", 0)) {
            assertThat(sha256(in)).isEqualTo(sha256(content, 0));
        }
        int middle = LARGE_CONTENT_SIZE / 2 + 1;
        try (InputStream in = driver.reader("/w/large", middle)) {
            assertThat(sha256(in)).isEqualTo(sha256(content, middle));
        }
    }

    // ---- stat ----

    @Test
    void stat_file_reportsSizeAndRecentModification() throws IOException {
        Instant before = Instant.now();
        driver.putContent("/s/file", bytes("12345"));

        FileInfo info = driver.stat("/s/file");

        assertThat(info.path()).isEqualTo("/s/file");
        assertThat(info.size()).isEqualTo(5);
        assertThat(info.directory()).isFalse();
        assertThat(info.modifiedAt()).isBetween(before.minus(CLOCK_TOLERANCE), Instant.now().plus(CLOCK_TOLERANCE));
    }

    @Test
    void stat_directory_reportsDirectoryWithSizeZero() throws IOException {
        driver.putContent("/s/dir/file", bytes("12345"));

        FileInfo info = driver.stat("/s/dir");

        assertThat(info.path()).isEqualTo("/s/dir");
        assertThat(info.directory()).isTrue();
        assertThat(info.size()).isZero();
    }

    @Test
    void stat_afterOverwrite_modificationNotEarlier() throws IOException {
        driver.putContent("/s/file", bytes("first"));
        Instant first = driver.stat("/s/file").modifiedAt();

        driver.putContent("/s/file", bytes("second"));

        assertThat(driver.stat("/s/file").modifiedAt()).isAfterOrEqualTo(first);
    }

    @Test
    void stat_missingPath_throwsPathNotFound() {
        assertThatThrownBy(() -> driver.stat("/s/missing"))
                .isInstanceOf(PathNotFoundException.class)
                .hasMessageContaining("/s/missing");
    }

    // ---- list ----

    @Test
    void list_directory_returnsChildrenAsFullPaths() throws IOException {
        driver.putContent("/l/x", bytes("1"));
        driver.putContent("/l/y", bytes("2"));
        driver.putContent("/l/sub/z", bytes("3"));
        driver.putContent("/l/sub/deeper/w", bytes("4"));
        driver.putContent("/other/q", bytes("5"));

        assertThat(driver.list("/l")).containsExactlyInAnyOrder("/l/x", "/l/y", "/l/sub");
        assertThat(driver.list("/l/sub")).containsExactlyInAnyOrder("/l/sub/z", "/l/sub/deeper");
    }

    @Test
    void list_directoryWithSiblingSharingPrefix_excludesSibling() throws IOException {
        driver.putContent("/l/b/x", bytes("1"));
        driver.putContent("/l/bc/y", bytes("2"));
        driver.putContent("/l/b-c", bytes("3"));

        assertThat(driver.list("/l/b")).containsExactly("/l/b/x");
    }

    @Test
    void list_root_returnsTopLevelEntries() throws IOException {
        driver.putContent("/top-file", bytes("1"));
        driver.putContent("/top-dir/file", bytes("2"));

        assertThat(driver.list("/")).containsExactlyInAnyOrder("/top-file", "/top-dir");
    }

    @Test
    void list_rootOfEmptyDriver_returnsEmpty() throws IOException {
        assertThat(driver.list("/")).isEmpty();
    }

    @Test
    void list_missingPath_throwsPathNotFound() throws IOException {
        driver.putContent("/l/file", bytes("1"));

        assertThatThrownBy(() -> driver.list("/l/missing")).isInstanceOf(PathNotFoundException.class);
    }

    @Test
    void list_file_throwsPathNotFound() throws IOException {
        driver.putContent("/l/file", bytes("1"));

        assertThatThrownBy(() -> driver.list("/l/file")).isInstanceOf(PathNotFoundException.class);
    }

    // ---- move ----

    @Test
    void move_toNewPath_removesSource() throws IOException {
        driver.putContent("/m/source", bytes("content"));

        driver.move("/m/source", "/m/destination");

        assertThat(driver.getContent("/m/destination")).isEqualTo(bytes("content"));
        assertThatThrownBy(() -> driver.stat("/m/source")).isInstanceOf(PathNotFoundException.class);
    }

    @Test
    void move_existingDestination_replacesIt() throws IOException {
        driver.putContent("/m/source", bytes("new"));
        driver.putContent("/m/destination", bytes("old and longer"));

        driver.move("/m/source", "/m/destination");

        assertThat(driver.getContent("/m/destination")).isEqualTo(bytes("new"));
        assertThat(driver.stat("/m/destination").size()).isEqualTo(3);
    }

    @Test
    void move_deepDestination_createsParentDirectories() throws IOException {
        driver.putContent("/m/source", bytes("content"));

        driver.move("/m/source", "/n/a/b/destination");

        assertThat(driver.getContent("/n/a/b/destination")).isEqualTo(bytes("content"));
        assertThat(driver.stat("/n/a/b").directory()).isTrue();
    }

    @Test
    void move_missingSource_throwsPathNotFound() throws IOException {
        driver.putContent("/m/destination", bytes("kept"));

        assertThatThrownBy(() -> driver.move("/m/missing", "/m/destination"))
                .isInstanceOf(PathNotFoundException.class)
                .hasMessageContaining("/m/missing");
        assertThat(driver.getContent("/m/destination")).isEqualTo(bytes("kept"));
    }

    // ---- delete ----

    @Test
    void delete_file_removesOnlyThatFile() throws IOException {
        driver.putContent("/d/file", bytes("1"));
        driver.putContent("/d/sibling", bytes("2"));

        driver.delete("/d/file");

        assertThatThrownBy(() -> driver.stat("/d/file")).isInstanceOf(PathNotFoundException.class);
        assertThat(driver.getContent("/d/sibling")).isEqualTo(bytes("2"));
    }

    @Test
    void delete_directory_removesTreeKeepsSiblings() throws IOException {
        driver.putContent("/d/tree/file", bytes("1"));
        driver.putContent("/d/tree/sub/file", bytes("2"));
        driver.putContent("/d/tree/sub/deeper/file", bytes("3"));
        driver.putContent("/d/treetop", bytes("4"));
        driver.putContent("/d/tree-sibling/file", bytes("5"));
        driver.putContent("/d/other", bytes("6"));

        driver.delete("/d/tree");

        assertThatThrownBy(() -> driver.stat("/d/tree")).isInstanceOf(PathNotFoundException.class);
        assertThatThrownBy(() -> driver.stat("/d/tree/sub/deeper/file")).isInstanceOf(PathNotFoundException.class);
        assertThat(driver.list("/d")).containsExactlyInAnyOrder("/d/treetop", "/d/tree-sibling", "/d/other");
        assertThat(driver.getContent("/d/treetop")).isEqualTo(bytes("4"));
        assertThat(driver.getContent("/d/tree-sibling/file")).isEqualTo(bytes("5"));
    }

    @Test
    void delete_missingPath_throwsPathNotFound() throws IOException {
        driver.putContent("/d/file", bytes("1"));

        assertThatThrownBy(() -> driver.delete("/d/missing"))
                .isInstanceOf(PathNotFoundException.class)
                .hasMessageContaining("/d/missing");
    }

    // ---- walk ----

    /** Stores a tree whose names sort differently by full path than by segment ("b-c" vs "b/1"). */
    private void putWalkTree() throws IOException {
        driver.putContent("/t/c/x/y", bytes("cxy"));
        driver.putContent("/t/b/2", bytes("b2"));
        driver.putContent("/t/b-c", bytes("b-c"));
        driver.putContent("/t/a", bytes("a"));
        driver.putContent("/t/b/1", bytes("b1"));
    }

    @Test
    void walk_tree_visitsLexicallyWithDirectoriesBeforeChildren() throws IOException {
        putWalkTree();
        List<FileInfo> visited = new ArrayList<>();

        driver.walk("/t", info -> {
            visited.add(info);
            return WalkVisitor.Decision.CONTINUE;
        });

        assertThat(visited).extracting(FileInfo::path)
                .containsExactly("/t/a", "/t/b", "/t/b/1", "/t/b/2", "/t/b-c", "/t/c", "/t/c/x", "/t/c/x/y");
        assertThat(visited).filteredOn(FileInfo::directory).extracting(FileInfo::path)
                .containsExactly("/t/b", "/t/c", "/t/c/x");
        assertThat(visited).filteredOn(info -> info.path().equals("/t/c/x/y")).extracting(FileInfo::size)
                .containsExactly(3L);
    }

    @Test
    void walk_root_visitsEveryEntry() throws IOException {
        putWalkTree();
        driver.putContent("/u", bytes("u"));

        List<String> visited = walkPaths("/", info -> WalkVisitor.Decision.CONTINUE);

        assertThat(visited).containsExactly("/t", "/t/a", "/t/b", "/t/b/1", "/t/b/2", "/t/b-c", "/t/c", "/t/c/x", "/t/c/x/y", "/u");
    }

    @Test
    void walk_skipDirectory_doesNotDescendIntoIt() throws IOException {
        putWalkTree();

        List<String> visited = walkPaths("/t", info -> info.path().equals("/t/b") ? WalkVisitor.Decision.SKIP_DIRECTORY : WalkVisitor.Decision.CONTINUE);

        assertThat(visited).containsExactly("/t/a", "/t/b", "/t/b-c", "/t/c", "/t/c/x", "/t/c/x/y");
    }

    @Test
    void walk_skipDirectoryOnFiles_actsAsContinue() throws IOException {
        putWalkTree();

        List<String> visited = walkPaths("/t", info -> info.directory() ? WalkVisitor.Decision.CONTINUE : WalkVisitor.Decision.SKIP_DIRECTORY);

        assertThat(visited).containsExactly("/t/a", "/t/b", "/t/b/1", "/t/b/2", "/t/b-c", "/t/c", "/t/c/x", "/t/c/x/y");
    }

    @Test
    void walk_stop_endsWalkAtOnce() throws IOException {
        putWalkTree();

        List<String> visited = walkPaths("/t", info -> info.path().equals("/t/b/1") ? WalkVisitor.Decision.STOP : WalkVisitor.Decision.CONTINUE);

        assertThat(visited).containsExactly("/t/a", "/t/b", "/t/b/1");
    }

    @Test
    void walk_rootOfEmptyDriver_visitsNothing() throws IOException {
        assertThat(walkPaths("/", info -> WalkVisitor.Decision.CONTINUE)).isEmpty();
    }

    @Test
    void walk_missingPath_throwsPathNotFound() throws IOException {
        driver.putContent("/t/a", bytes("a"));

        assertThatThrownBy(() -> driver.walk("/missing", info -> WalkVisitor.Decision.CONTINUE))
                .isInstanceOf(PathNotFoundException.class);
    }

    private List<String> walkPaths(String path, WalkVisitor decide) throws IOException {
        List<String> visited = new ArrayList<>();
        driver.walk(path, info -> {
            visited.add(info.path());
            return decide.visit(info);
        });
        return visited;
    }

    // ---- path validation ----

    @ParameterizedTest
    @ValueSource(strings = {"", "relative", "/a//b", "/a/../b", "/a/./b", "/a/b/", "/a b", "/ä"})
    void invalidPath_everyMethod_throwsBeforeReachingDriver(String path) throws IOException {
        List<String> calls = new CopyOnWriteArrayList<>();
        StorageDriver checked = CheckedStorageDriver.wrap(recordingCalls(rawDriver, calls));
        driver.putContent("/valid", bytes("x"));

        assertInvalidPath(() -> checked.getContent(path), path);
        assertInvalidPath(() -> checked.putContent(path, bytes("x")), path);
        assertInvalidPath(() -> checked.reader(path, 0), path);
        assertInvalidPath(() -> checked.writer(path, false), path);
        assertInvalidPath(() -> checked.writer(path, true), path);
        assertInvalidPath(() -> checked.stat(path), path);
        assertInvalidPath(() -> checked.list(path), path);
        assertInvalidPath(() -> checked.move(path, "/valid-destination"), path);
        assertInvalidPath(() -> checked.move("/valid", path), path);
        assertInvalidPath(() -> checked.delete(path), path);
        assertInvalidPath(() -> checked.redirectUrl(path, "GET"), path);
        assertInvalidPath(() -> checked.walk(path, info -> WalkVisitor.Decision.CONTINUE), path);

        assertThat(calls).isEmpty();
        assertThat(driver.list("/")).containsExactly("/valid");
    }

    private static void assertInvalidPath(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String path) {
        assertThatThrownBy(call)
                .isInstanceOf(InvalidPathException.class)
                .hasMessageContaining("\"" + path + "\"");
    }

    /** Returns a driver that records the name of every method called on it except {@code name}. */
    private static StorageDriver recordingCalls(StorageDriver target, List<String> calls) {
        return (StorageDriver) Proxy.newProxyInstance(
                StorageDriver.class.getClassLoader(),
                new Class<?>[] {StorageDriver.class},
                (proxy, method, arguments) -> {
                    if (!method.getName().equals("name")) {
                        calls.add(method.getName());
                    }
                    try {
                        return method.invoke(target, arguments);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    // ---- concurrency ----

    @Test
    @Timeout(120)
    void concurrentThreads_ownFiles_allReadBackCorrectly() throws Exception {
        int threads = 16;
        int rounds = 5;
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                results.add(executor.submit(() -> {
                    start.await();
                    for (int round = 0; round < rounds; round++) {
                        writeAndVerifyOwnFiles(id, round);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> result : results) {
                result.get(100, TimeUnit.SECONDS);
            }
        } finally {
            executor.shutdownNow();
        }

        assertThat(driver.list("/c")).hasSize(threads);
    }

    /** Writes files whose size and bytes depend on thread and round, then checks each read path. */
    private void writeAndVerifyOwnFiles(int thread, int round) throws IOException {
        String directory = "/c/thread-" + thread;
        byte[] small = bytes("thread " + thread + " round " + round);
        byte[] large = new byte[64 * 1024 + thread * 1_031 + round];
        Arrays.fill(large, (byte) (thread * 16 + round));

        driver.putContent(directory + "/small", small);
        try (FileWriter writer = driver.writer(directory + "/large", false)) {
            writer.write(large, 0, 1_000);
        }
        try (FileWriter writer = driver.writer(directory + "/large", true)) {
            writer.write(large, 1_000, large.length - 1_000);
        }

        assertThat(driver.getContent(directory + "/small")).isEqualTo(small);
        assertThat(driver.stat(directory + "/large").size()).isEqualTo(large.length);
        try (InputStream in = driver.reader(directory + "/large", 0)) {
            assertThat(read(in)).isEqualTo(large);
        }
        assertThat(driver.list(directory)).containsExactlyInAnyOrder(directory + "/small", directory + "/large");
    }

    @Test
    @Timeout(60)
    void putContent_concurrentReader_seesOnlyWholeVersions() throws Exception {
        byte[] versionA = new byte[256 * 1024];
        byte[] versionB = new byte[192 * 1024];
        Arrays.fill(versionA, (byte) 'a');
        Arrays.fill(versionB, (byte) 'b');
        driver.putContent("/atomic/file", versionA);

        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        AtomicBoolean writing = new AtomicBoolean(true);
        ExecutorService executor = Executors.newSingleThreadExecutor();
        int reads = 0;
        String firstMix = null;
        try {
            Future<Integer> writer = executor.submit(() -> {
                int writes = 0;
                while (System.nanoTime() < deadline) {
                    driver.putContent("/atomic/file", writes % 2 == 0 ? versionB : versionA);
                    writes++;
                }
                writing.set(false);
                return writes;
            });

            while (writing.get() && System.nanoTime() < deadline) {
                byte[] seen = reads % 2 == 0 ? driver.getContent("/atomic/file") : read(driver.reader("/atomic/file", 0));
                reads++;
                if (firstMix == null && !Arrays.equals(seen, versionA) && !Arrays.equals(seen, versionB)) {
                    firstMix = describe(seen);
                }
            }

            assertThat(writer.get(30, TimeUnit.SECONDS)).isPositive();
        } finally {
            executor.shutdownNow();
        }

        assertThat(reads).isPositive();
        assertThat(firstMix).as("content seen by a reader while putContent replaced it").isNull();
    }

    /** Describes content that is neither version without printing it whole. */
    private static String describe(byte[] seen) {
        int a = 0;
        for (byte b : seen) {
            if (b == 'a') {
                a++;
            }
        }
        return seen.length + " bytes, " + a + " of them 'a' and " + (seen.length - a) + " other";
    }

    // ---- helpers ----

    protected static byte[] bytes(String text) {
        return text.getBytes(UTF_8);
    }

    protected static byte[] read(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }

    private static String sha256(InputStream in) throws IOException {
        MessageDigest digest = newSha256();
        byte[] buffer = new byte[8_191];
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            digest.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static String sha256(byte[] content, int offset) {
        MessageDigest digest = newSha256();
        digest.update(content, offset, content.length - offset);
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK provides SHA-256", e);
        }
    }
}
