package io.entrepot.maintenance;

import io.entrepot.registry.StorageLayout;
import io.entrepot.storage.FileInfo;
import io.entrepot.storage.PathNotFoundException;
import io.entrepot.storage.StorageDriver;
import io.entrepot.storage.StoragePaths;
import io.entrepot.storage.WalkVisitor.Decision;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes upload sessions that started longer ago than a given age: abandoned pushes whose
 * partial data would otherwise stay in storage forever. An upload's age comes from its
 * {@code startedat} file, or from the directory's modification time when that is unreadable.
 */
public final class UploadPurger {

    private static final Logger log = LoggerFactory.getLogger(UploadPurger.class);

    /** The outcome of one purge: uploads examined and removed. */
    public record Result(int examined, List<String> removed, boolean dryRun) {}

    private final StorageDriver driver;
    private final Clock clock;

    public UploadPurger(StorageDriver driver, Clock clock) {
        this.driver = driver;
        this.clock = clock;
    }

    /**
     * Removes, or with {@code dryRun} only lists, every upload older than {@code age}.
     */
    public Result purge(Duration age, boolean dryRun) throws IOException {
        Instant cutoff = clock.instant().minus(age);
        List<String> uploads = findUploads();
        List<String> removed = new ArrayList<>();
        for (String upload : uploads) {
            Instant started = startedAt(upload);
            if (started == null || !started.isBefore(cutoff)) {
                continue;
            }
            removed.add(upload);
            if (dryRun) {
                log.atInfo().addKeyValue("path", upload).addKeyValue("dry_run", true).log("would purge stale upload");
                continue;
            }
            try {
                driver.delete(upload);
                log.atInfo().addKeyValue("path", upload).addKeyValue("started_at", started).log("purged stale upload");
            } catch (PathNotFoundException e) {
                // completed or cancelled meanwhile
            }
        }
        return new Result(uploads.size(), removed, dryRun);
    }

    /** Returns the directories {@code repositories/<name>/_uploads/<id>}. */
    private List<String> findUploads() throws IOException {
        List<String> uploads = new ArrayList<>();
        try {
            driver.walk(StorageLayout.REPOSITORIES, (FileInfo info) -> {
                if (!info.directory()) {
                    return Decision.CONTINUE;
                }
                String base = StoragePaths.baseName(info.path());
                if (base.equals("_uploads")) {
                    for (String upload : driver.list(info.path())) {
                        uploads.add(upload);
                    }
                    return Decision.SKIP_DIRECTORY;
                }
                return base.startsWith("_") ? Decision.SKIP_DIRECTORY : Decision.CONTINUE;
            });
        } catch (PathNotFoundException e) {
            return List.of();
        }
        return uploads;
    }

    private Instant startedAt(String upload) throws IOException {
        try {
            String text = new String(driver.getContent(upload + "/startedat"), StandardCharsets.UTF_8).trim();
            return OffsetDateTime.parse(text).toInstant();
        } catch (PathNotFoundException | DateTimeParseException e) {
            try {
                return driver.stat(upload).modifiedAt();
            } catch (PathNotFoundException gone) {
                return null;
            }
        }
    }
}
