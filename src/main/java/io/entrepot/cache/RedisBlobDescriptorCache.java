package io.entrepot.cache;

import io.entrepot.config.RedisConfig;
import io.entrepot.registry.Descriptor;
import io.entrepot.registry.Digest;
import io.entrepot.registry.RepositoryName;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code storage.cache.blobdescriptor: redis}: descriptors and links in one Redis that every
 * instance shares, so a delete on one instance is seen by all.
 *
 * <p>Keys, all under the {@code entrepot:} prefix so they never collide with distribution's:
 * <pre>
 * entrepot:blob:&lt;digest&gt;                      hash {mediatype, size}
 * entrepot:repository:&lt;name&gt;:layer            set of digests linked as layers
 * entrepot:repository:&lt;name&gt;:revision         set of manifest digests
 * </pre>
 */
final class RedisBlobDescriptorCache implements MeasuredCache {

    /*
     * Outage handling. Lettuce reconnects on its own. With REJECT_COMMANDS, a command issued while
     * the connection is down fails at once instead of waiting in a queue, so a request that misses
     * the cache pays no Redis timeout and reads storage. The first failure of an outage is logged
     * at WARN and the recovery at INFO, never each failed command.
     *
     * A removal that fails during an outage is kept and replayed before the first command after
     * recovery, so a link deleted during the outage does not come back from a Redis that kept its
     * data. Removals pending in a process that dies are lost.
     */

    private static final Logger log = LoggerFactory.getLogger(RedisBlobDescriptorCache.class);

    private static final String PREFIX = "entrepot:";

    /** Pause between connection attempts when Redis was down at start-up. */
    private static final Duration RECONNECT_DELAY = Duration.ofSeconds(1);

    /** Removals kept during an outage; further removals are dropped, with one warning per outage. */
    private static final int MAX_PENDING_REMOVALS = 100_000;

    /** A removal to replay: a whole key when {@code member} is null, else one set member. */
    private record Removal(String key, String member) {}

    private final RedisConfig config;
    private final AbstractRedisClient client;
    private final CacheStatistics statistics;
    private final AtomicBoolean available = new AtomicBoolean(true);
    private final AtomicBoolean removalsDropped = new AtomicBoolean();
    private final Set<Removal> pendingRemovals = ConcurrentHashMap.newKeySet();
    private volatile StatefulConnection<String, String> connection;
    private volatile RedisClusterCommands<String, String> commands;
    private volatile boolean closed;

    RedisBlobDescriptorCache(RedisConfig config, CacheStatistics statistics) {
        this.config = config;
        this.statistics = statistics;
        this.client = RedisConnections.newClient(config);
        if (!connect()) {
            Thread.ofVirtual().name("entrepot-redis-connect").start(this::connectUntilClosed);
        }
    }

    /** Opens the connection; returns false, after logging the outage once, when Redis cannot be reached. */
    private boolean connect() {
        try {
            StatefulConnection<String, String> opened = RedisConnections.connect(client, config);
            connection = opened;
            commands = RedisConnections.commands(opened);
            log.atInfo().addKeyValue("redis", config).log("connected to Redis");
            return true;
        } catch (RedisException e) {
            markUnavailable(e);
            return false;
        }
    }

    private void connectUntilClosed() {
        while (!closed && commands == null) {
            try {
                Thread.sleep(RECONNECT_DELAY);
            } catch (InterruptedException e) {
                return;
            }
            if (!closed) {
                connect();
            }
        }
    }

    private static String blobKey(Digest digest) {
        return PREFIX + "blob:" + digest;
    }

    private static String linkKey(LinkKind kind, RepositoryName repository) {
        return PREFIX + "repository:" + repository + ":" + kind.name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public Optional<Descriptor> descriptor(Digest digest) {
        Map<String, String> fields = call(redis -> redis.hgetall(blobKey(digest)), Map.of());
        Optional<Descriptor> descriptor = parse(digest, fields);
        statistics.record(descriptor.isPresent());
        return descriptor;
    }

    /** Reads a descriptor hash; an entry that is not one Entrepot wrote counts as a miss. */
    private static Optional<Descriptor> parse(Digest digest, Map<String, String> fields) {
        String mediaType = fields.get("mediatype");
        String size = fields.get("size");
        if (mediaType == null || size == null || !size.matches("[0-9]{1,18}")) {
            return Optional.empty();
        }
        return Optional.of(new Descriptor(mediaType, digest, Long.parseLong(size)));
    }

    @Override
    public void putDescriptor(Descriptor descriptor, Generation generation) {
        call(redis -> redis.hset(blobKey(descriptor.digest()),
                Map.of("mediatype", descriptor.mediaType(), "size", Long.toString(descriptor.size()))), 0L);
    }

    @Override
    public void removeDescriptor(Digest digest) {
        remove(new Removal(blobKey(digest), null));
    }

    @Override
    public boolean isLinked(LinkKind kind, RepositoryName repository, Digest digest) {
        boolean linked = call(redis -> redis.sismember(linkKey(kind, repository), digest.toString()), false);
        statistics.record(linked);
        return linked;
    }

    @Override
    public void putLink(LinkKind kind, RepositoryName repository, Digest digest, Generation generation) {
        call(redis -> redis.sadd(linkKey(kind, repository), digest.toString()), 0L);
    }

    @Override
    public void removeLink(LinkKind kind, RepositoryName repository, Digest digest) {
        remove(new Removal(linkKey(kind, repository), digest.toString()));
    }

    private void remove(Removal removal) {
        boolean done = call(redis -> {
            apply(redis, removal);
            return true;
        }, false);
        if (!done) {
            keepForReplay(removal);
        }
    }

    private static void apply(RedisClusterCommands<String, String> redis, Removal removal) {
        if (removal.member() == null) {
            redis.del(removal.key());
        } else {
            redis.srem(removal.key(), removal.member());
        }
    }

    private void keepForReplay(Removal removal) {
        if (pendingRemovals.size() >= MAX_PENDING_REMOVALS) {
            if (removalsDropped.compareAndSet(false, true)) {
                log.atWarn().addKeyValue("max", MAX_PENDING_REMOVALS)
                        .log("too many cache removals waiting for Redis, so later removals are dropped and their entries may stay stale");
            }
            return;
        }
        pendingRemovals.add(removal);
    }

    /**
     * Runs a command, or returns {@code fallback} when Redis is unreachable. After an outage the
     * removals kept meanwhile are replayed first, so no lookup returns an entry deleted during the outage.
     */
    private <T> T call(Function<RedisClusterCommands<String, String>, T> command, T fallback) {
        RedisClusterCommands<String, String> redis = commands;
        if (redis == null) {
            statistics.recordError();
            return fallback;
        }
        try {
            if (!available.get()) {
                recover(redis);
            }
            return command.apply(redis);
        } catch (RedisException e) {
            statistics.recordError();
            markUnavailable(e);
            return fallback;
        }
    }

    private void recover(RedisClusterCommands<String, String> redis) {
        redis.ping();
        for (Removal removal : List.copyOf(pendingRemovals)) {
            apply(redis, removal);
            pendingRemovals.remove(removal);
        }
        removalsDropped.set(false);
        if (available.compareAndSet(false, true)) {
            log.atInfo().addKeyValue("redis", config).log("Redis is reachable again, the blob descriptor cache is back in use");
        }
    }

    private void markUnavailable(RedisException e) {
        if (available.compareAndSet(true, false)) {
            log.atWarn().addKeyValue("redis", config).addKeyValue("error", RedisConnections.describe(e))
                    .log("Redis is unreachable, so blob descriptors are read from storage until it is back");
        }
    }

    @Override
    public CacheStatistics statistics() {
        return statistics;
    }

    @Override
    public String type() {
        return "redis";
    }

    @Override
    public void close() {
        closed = true;
        StatefulConnection<String, String> open = connection;
        if (open != null) {
            open.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
