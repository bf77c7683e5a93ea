package io.entrepot.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parsed content of a file, read again when the file's modification time changes, so that
 * accounts can be added or removed without a restart. A file that becomes invalid is logged once
 * and the content read before stays in force.
 *
 * @param <T> the parsed content
 */
final class ReloadingFile<T> {

    /** Reads and parses the file. */
    interface Parser<T> {
        T parse(Path file) throws IOException;
    }

    private static final Logger log = LoggerFactory.getLogger(ReloadingFile.class);

    /** Stands for a file that does not exist, which differs from every real modification time. */
    private static final FileTime ABSENT = FileTime.fromMillis(Long.MIN_VALUE);

    private final Path file;
    private final Parser<T> parser;
    private final T whenAbsent;
    private volatile T content;
    private volatile FileTime loadedModified;

    /**
     * Reads {@code file} once, so that an invalid file stops start-up.
     *
     * @param whenAbsent the content of a file that does not exist, or null when the file must exist
     * @throws IOException when the file cannot be read or parsed
     */
    ReloadingFile(Path file, Parser<T> parser, T whenAbsent) throws IOException {
        this.file = file;
        this.parser = parser;
        this.whenAbsent = whenAbsent;
        this.loadedModified = modified();
        this.content = loadedModified == ABSENT ? whenAbsent : parser.parse(file);
    }

    /** Returns the content, reading the file again first when it changed. */
    T current() {
        try {
            FileTime modified = modified();
            if (!modified.equals(loadedModified)) {
                reload(modified);
            }
        } catch (IOException | UncheckedIOException e) {
            log.atError().addKeyValue("path", file).log("accounts file unreadable, so the accounts read before stay in force: {}", e.getMessage());
        }
        return content;
    }

    private FileTime modified() throws IOException {
        try {
            return Files.getLastModifiedTime(file);
        } catch (NoSuchFileException e) {
            if (whenAbsent == null) {
                throw e;
            }
            return ABSENT;
        }
    }

    private synchronized void reload(FileTime modified) throws IOException {
        if (modified.equals(loadedModified)) {
            return;
        }
        // The time is recorded first so that a broken file is reported once, not on every request.
        loadedModified = modified;
        content = modified == ABSENT ? whenAbsent : parser.parse(file);
        log.atInfo().addKeyValue("path", file).log("accounts file reloaded");
    }
}
