package io.entrepot.maintenance;

import io.entrepot.registry.StorageLayout;
import io.entrepot.storage.PathNotFoundException;
import io.entrepot.storage.StorageDriver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * A {@link CollectionLease} kept as one file in storage, containing the holder and the expiry
 * time. Storage drivers offer no compare-and-set, so acquisition writes the file, waits a moment
 * and reads it back: of two instances writing at nearly the same time, the later write wins and
 * only its writer sees itself. Two instances can still both believe they hold the lease when one
 * reads back before the other writes; that costs duplicate work, not safety.
 */
public final class StorageLease implements CollectionLease {

    /** The garbage collection lease file, beside {@code blobs} and {@code repositories}, where distribution never looks. */
    public static final String PATH = StorageLayout.ROOT + "/_entrepot/gc/lease";

    /** How long to wait before reading the lease back, so that a competing write lands first. */
    private static final long SETTLE_MILLIS = 200;

    private final StorageDriver driver;
    private final Clock clock;
    private final String path;

    public StorageLease(StorageDriver driver, Clock clock) {
        this(driver, clock, "gc");
    }

    /** Creates the lease of the maintenance job {@code job}, kept in {@code _entrepot/<job>/lease}. */
    public StorageLease(StorageDriver driver, Clock clock, String job) {
        this.driver = driver;
        this.clock = clock;
        this.path = StorageLayout.ROOT + "/_entrepot/" + job + "/lease";
    }

    @Override
    public boolean tryAcquire(String holder, Duration duration) throws IOException {
        Lease current = read();
        Instant now = clock.instant();
        if (current != null && !current.holder.equals(holder) && current.expiresAt.isAfter(now)) {
            return false;
        }
        driver.putContent(path, (holder + " " + now.plus(duration)).getBytes(StandardCharsets.UTF_8));
        try {
            Thread.sleep(SETTLE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        Lease written = read();
        return written != null && written.holder.equals(holder);
    }

    @Override
    public void release(String holder) throws IOException {
        Lease current = read();
        if (current != null && current.holder.equals(holder)) {
            try {
                driver.delete(path);
            } catch (PathNotFoundException e) {
                // expired and removed by another instance
            }
        }
    }

    private record Lease(String holder, Instant expiresAt) {}

    /** Returns the lease in storage, or null when there is none or it is unreadable. */
    private Lease read() throws IOException {
        String text;
        try {
            text = new String(driver.getContent(path), StandardCharsets.UTF_8).trim();
        } catch (PathNotFoundException e) {
            return null;
        }
        int space = text.lastIndexOf(' ');
        if (space <= 0) {
            return null;
        }
        try {
            return new Lease(text.substring(0, space), Instant.parse(text.substring(space + 1)));
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return "storage " + path;
    }
}
