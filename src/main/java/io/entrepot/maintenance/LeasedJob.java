package io.entrepot.maintenance;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a maintenance job on at most one instance of a cluster at a time: it takes a lease, renews
 * it every third of its time to live while the job runs, and releases it at the end. An instance
 * that does not get the lease skips the run.
 */
public final class LeasedJob {

    /** The lease's time to live. A holder that stops without releasing it blocks other instances this long at most. */
    public static final Duration DEFAULT_TIME_TO_LIVE = Duration.ofMinutes(5);

    private static final Logger log = LoggerFactory.getLogger(LeasedJob.class);

    /** A job body that may fail with an I/O error. */
    @FunctionalInterface
    public interface Body<T> {
        T run() throws IOException;
    }

    private final CollectionLease lease;
    private final String job;
    private final Duration timeToLive;
    private final String holder = "entrepot-" + UUID.randomUUID();

    public LeasedJob(CollectionLease lease, String job) {
        this(lease, job, DEFAULT_TIME_TO_LIVE);
    }

    public LeasedJob(CollectionLease lease, String job, Duration timeToLive) {
        this.lease = lease;
        this.job = job;
        this.timeToLive = timeToLive;
    }

    /**
     * Runs {@code body} if this instance gets the lease.
     *
     * @return the body's result, or empty when another instance holds the lease
     * @throws IOException when the lease cannot be read or the body fails
     */
    public <T> Optional<T> runIfLeaseHolder(Body<T> body) throws IOException {
        if (!lease.tryAcquire(holder, timeToLive)) {
            log.atInfo().addKeyValue("job", job).addKeyValue("lease", lease)
                    .log("maintenance job skipped because another instance holds the lease");
            return Optional.empty();
        }
        Thread renewer = Thread.ofVirtual().name("entrepot-lease-" + job).start(this::renewUntilInterrupted);
        try {
            return Optional.ofNullable(body.run());
        } finally {
            renewer.interrupt();
            try {
                renewer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            lease.release(holder);
        }
    }

    private void renewUntilInterrupted() {
        while (true) {
            try {
                Thread.sleep(timeToLive.dividedBy(3));
            } catch (InterruptedException e) {
                return;
            }
            try {
                if (!lease.tryAcquire(holder, timeToLive)) {
                    // Overlapping runs stay safe (see GarbageCollector), so the job goes on.
                    log.atWarn().addKeyValue("job", job).addKeyValue("lease", lease)
                            .log("lease lost to another instance while the job runs; both may run at once");
                }
            } catch (IOException | RuntimeException e) {
                log.atWarn().addKeyValue("job", job).addKeyValue("lease", lease).addKeyValue("error", e.toString())
                        .log("failed to renew the lease, retrying at the next renewal");
            }
        }
    }
}
