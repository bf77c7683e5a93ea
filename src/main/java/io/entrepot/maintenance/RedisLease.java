package io.entrepot.maintenance;

import io.entrepot.cache.RedisConnections;
import io.entrepot.config.RedisConfig;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.io.IOException;
import java.time.Duration;

/**
 * A {@link CollectionLease} kept in the Redis of the {@code redis} section: one key whose value is
 * the holder, taken with {@code SET key holder NX PX ttl}, extended and released by scripts that
 * first compare the value with the holder. Redis runs each command and script atomically, so two
 * instances never both hold the lease while that Redis keeps its data. A failover to a replica
 * that had not received the latest write can lose the key, and then two instances may collect at
 * once, which wastes work but stays safe.
 */
public final class RedisLease implements CollectionLease, AutoCloseable {

    /** Extends the lease when {@code ARGV[1]} holds it, and returns 1 when it did. */
    private static final String EXTEND = """
            if redis.call('get', KEYS[1]) == ARGV[1] then
              return redis.call('pexpire', KEYS[1], ARGV[2])
            end
            return 0
            """;

    /** Deletes the lease when {@code ARGV[1]} holds it, and returns 1 when it did. */
    private static final String RELEASE = """
            if redis.call('get', KEYS[1]) == ARGV[1] then
              return redis.call('del', KEYS[1])
            end
            return 0
            """;

    private final RedisConfig config;
    private final String key;
    private AbstractRedisClient client;
    private StatefulConnection<String, String> connection;
    private RedisClusterCommands<String, String> commands;

    /** Creates the lease of {@code job} under the key {@code entrepot:lease:<job>}, connecting on first use. */
    public RedisLease(RedisConfig config, String job) {
        this.config = config;
        this.key = "entrepot:lease:" + job;
    }

    @Override
    public synchronized boolean tryAcquire(String holder, Duration duration) throws IOException {
        try {
            RedisClusterCommands<String, String> redis = commands();
            if ("OK".equals(redis.set(key, holder, SetArgs.Builder.nx().px(duration.toMillis())))) {
                return true;
            }
            Long extended = redis.eval(EXTEND, ScriptOutputType.INTEGER, new String[] {key}, holder,
                    Long.toString(duration.toMillis()));
            return extended != null && extended == 1;
        } catch (RedisException e) {
            throw new IOException("failed to take the lease " + key + " in Redis: " + RedisConnections.describe(e), e);
        }
    }

    @Override
    public synchronized void release(String holder) throws IOException {
        try {
            commands().eval(RELEASE, ScriptOutputType.INTEGER, new String[] {key}, holder);
        } catch (RedisException e) {
            throw new IOException("failed to release the lease " + key + " in Redis: " + RedisConnections.describe(e), e);
        }
    }

    private RedisClusterCommands<String, String> commands() {
        if (commands == null) {
            if (client == null) {
                client = RedisConnections.newClient(config);
            }
            connection = RedisConnections.connect(client, config);
            commands = RedisConnections.commands(connection);
        }
        return commands;
    }

    @Override
    public synchronized void close() {
        if (connection != null) {
            connection.close();
        }
        if (client != null) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    @Override
    public String toString() {
        return "redis " + key;
    }
}
