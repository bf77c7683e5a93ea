package io.entrepot.http;

import io.entrepot.config.CronExpression;
import io.entrepot.config.RegistryConfig;
import io.entrepot.config.StorageConfig;
import io.entrepot.maintenance.CollectionLease;
import io.entrepot.maintenance.GarbageCollector;
import io.entrepot.maintenance.GcOptions;
import io.entrepot.maintenance.GcReport;
import io.entrepot.maintenance.LeasedJob;
import io.entrepot.maintenance.OnlineCollection;
import io.entrepot.maintenance.RedisLease;
import io.entrepot.maintenance.Retention;
import io.entrepot.maintenance.StorageLease;
import io.entrepot.maintenance.UploadPurger;
import io.entrepot.metrics.Metrics;
import io.entrepot.metrics.StorageUsageRefresher;
import io.entrepot.registry.Registry;
import io.entrepot.storage.StorageDriver;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jobs a running registry schedules on its maintenance thread: upload purging, online
 * garbage collection, retention and the storage usage refresh. Each job is skipped while the
 * registry is read-only, because read-only mode is how operators pause every write.
 */
final class MaintenanceJobs implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MaintenanceJobs.class);

    private final RegistryConfig config;
    private final ScheduledExecutorService scheduler;
    private final AtomicBoolean readOnly;
    private final Metrics metrics;
    private final List<RedisLease> redisLeases = new CopyOnWriteArrayList<>();

    MaintenanceJobs(RegistryConfig config, ScheduledExecutorService scheduler, AtomicBoolean readOnly, Metrics metrics) {
        this.config = config;
        this.scheduler = scheduler;
        this.readOnly = readOnly;
        this.metrics = metrics;
    }

    /** Schedules every job the configuration enables, and returns this, to be closed with the server. */
    MaintenanceJobs scheduleAll(Registry registry, StorageDriver driver) {
        schedulePurge(driver);
        scheduleCollection(registry, driver);
        scheduleRetention(registry);
        scheduleStorageUsage(driver);
        return this;
    }

    private void schedulePurge(StorageDriver driver) {
        StorageConfig.UploadPurging purging = config.storage().uploadPurging();
        if (!purging.enabled() || readOnly.get()) {
            return;
        }
        UploadPurger purger = new UploadPurger(driver, Clock.systemUTC());
        long intervalSeconds = Math.max(1, purging.interval().toSeconds());
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                var result = purger.purge(purging.age(), purging.dryRun());
                log.atInfo().addKeyValue("examined", result.examined()).addKeyValue("removed", result.removed().size())
                        .addKeyValue("dry_run", result.dryRun()).log("upload purge finished");
            } catch (IOException | RuntimeException e) {
                log.error("upload purge failed", e);
            }
        }, Math.min(intervalSeconds, 60), intervalSeconds, TimeUnit.SECONDS);
    }

    /**
     * Schedules {@code storage.maintenance.gc}. A run in read-only mode would be safe, but it is
     * skipped like the upload purge, because read-only mode is how operators pause every write.
     */
    private void scheduleCollection(Registry registry, StorageDriver driver) {
        StorageConfig.GarbageCollection gc = config.storage().garbageCollection();
        if (!gc.enabled()) {
            return;
        }
        OnlineCollection collection = new OnlineCollection(new GarbageCollector(registry, Clock.systemUTC()),
                lease(driver, "gc"), new GcOptions(gc.dryRun(), gc.deleteUntagged(), gc.grace()));
        Runnable job = () -> {
            if (!readOnly.get()) {
                collectGarbage(collection);
            }
        };
        if (gc.schedule() != null) {
            scheduleCron(gc.schedule(), gc.timeZone(), ZonedDateTime.now(gc.timeZone()), job);
            log.atInfo().addKeyValue("schedule", gc.schedule()).addKeyValue("timezone", gc.timeZone()).addKeyValue("grace", gc.grace())
                    .addKeyValue("delete_untagged", gc.deleteUntagged()).addKeyValue("dry_run", gc.dryRun())
                    .log("garbage collection scheduled");
            return;
        }
        long intervalSeconds = Math.max(1, gc.interval().toSeconds());
        scheduler.scheduleWithFixedDelay(job, intervalSeconds, intervalSeconds, TimeUnit.SECONDS);
        log.atInfo().addKeyValue("interval", gc.interval()).addKeyValue("grace", gc.grace())
                .addKeyValue("delete_untagged", gc.deleteUntagged()).addKeyValue("dry_run", gc.dryRun())
                .log("garbage collection scheduled");
    }

    /**
     * Runs {@code job} at the next time of {@code cron} after {@code after}, then schedules the
     * following run. A run that lasts past later times of the expression skips them. The next time
     * is computed from the later of now and the time just run, so a timer that fires a little
     * early by the wall clock does not run the same time twice.
     */
    private void scheduleCron(CronExpression cron, ZoneId zone, ZonedDateTime after, Runnable job) {
        ZonedDateTime next = cron.next(after);
        long delayMillis = Math.max(0, Duration.between(Instant.now(), next.toInstant()).toMillis());
        try {
            scheduler.schedule(() -> {
                try {
                    job.run();
                } finally {
                    ZonedDateTime now = ZonedDateTime.now(zone);
                    scheduleCron(cron, zone, now.isAfter(next) ? now : next, job);
                }
            }, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // The server is stopping and has shut the scheduler down.
        }
        log.atDebug().addKeyValue("next", next).log("next scheduled garbage collection");
    }

    /** Runs one scheduled collection and records it in the {@code registry_gc_*} metrics. */
    private void collectGarbage(OnlineCollection collection) {
        Instant started = Instant.now();
        try {
            GcReport report = collection.collectIfLeaseHolder();
            if (report != null) {
                boolean removed = !report.dryRun();
                metrics.gc().recordRun(report.duration(), Instant.now(), true,
                        removed ? report.blobsRemoved().size() : 0, removed ? report.manifestsRemoved() : 0,
                        removed ? report.bytesFreed() : 0);
            }
        } catch (IOException | RuntimeException e) {
            log.atError().setCause(e).log("garbage collection failed");
            metrics.gc().recordRun(Duration.between(started, Instant.now()), Instant.now(), false, 0, 0, 0);
        }
    }

    /** Schedules the {@code retention} rules when {@code retention.interval} is set; skipped while read-only. */
    private void scheduleRetention(Registry registry) {
        var retention = config.retention();
        if (retention.interval().isZero() || retention.rules().isEmpty()) {
            return;
        }
        Retention job = new Retention(registry, Clock.systemUTC(), retention);
        LeasedJob leased = new LeasedJob(lease(registry.driver(), "retention"), "retention");
        long intervalSeconds = Math.max(1, retention.interval().toSeconds());
        scheduler.scheduleWithFixedDelay(() -> {
            if (readOnly.get()) {
                return;
            }
            Instant started = Instant.now();
            try {
                Retention.Report report = leased.runIfLeaseHolder(() -> job.run(retention.dryRun())).orElse(null);
                if (report == null) {
                    return;
                }
                long tags = report.dryRun() ? 0 : report.repositories().stream()
                        .mapToLong(r -> r.tags().stream().filter(t -> !t.kept()).count()).sum();
                long manifests = report.dryRun() ? 0 : report.repositories().stream().mapToLong(r -> r.manifestsRemoved().size()).sum();
                // Retention removes tags and manifests; the blobs go at the next collection.
                metrics.retention().recordRun(Duration.between(started, Instant.now()), Instant.now(), true, 0, manifests + tags, 0);
            } catch (IOException | RuntimeException e) {
                log.error("retention failed", e);
                metrics.retention().recordRun(Duration.between(started, Instant.now()), Instant.now(), false, 0, 0, 0);
            }
        }, intervalSeconds, intervalSeconds, TimeUnit.SECONDS);
    }

    /**
     * Returns the lease that lets one instance at a time run {@code job}: in Redis when the
     * {@code redis} section is set, because Redis sets a key atomically, and otherwise a file in
     * storage, which two instances can both take in rare cases.
     */
    private CollectionLease lease(StorageDriver driver, String job) {
        if (!config.redis().configured()) {
            return new StorageLease(driver, Clock.systemUTC(), job);
        }
        RedisLease lease = new RedisLease(config.redis(), job);
        redisLeases.add(lease);
        return lease;
    }

    /** Closes the Redis connections of the leases; the scheduler must be shut down first. */
    @Override
    public void close() {
        redisLeases.forEach(RedisLease::close);
    }

    private void scheduleStorageUsage(StorageDriver driver) {
        Duration interval = config.metrics().storageUsageInterval();
        if (interval.isZero()) {
            return;
        }
        new StorageUsageRefresher(driver, metrics.storage(), Clock.systemUTC()).schedule(scheduler, interval);
    }
}
