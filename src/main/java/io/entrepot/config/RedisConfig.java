package io.entrepot.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The {@code redis} section. One address is a single server; several addresses with a
 * {@code mastername} are Sentinels; several addresses without one are Cluster nodes, as
 * distribution 3's Redis client decides.
 *
 * @param addrs host:port of each server, empty when Redis is not configured
 * @param masterName the Sentinel master name, or null
 * @param username the ACL user name, or null
 * @param password the password, or null
 * @param db the database number, for a single server or Sentinel
 * @param dialTimeout connect timeout
 * @param readTimeout timeout of one command, after which the command counts as failed
 * @param writeTimeout accepted for compatibility; Lettuce has a single command timeout, so the
 *     larger of read and write timeouts applies to every command
 * @param pool connection pool settings, validated but unused, because Lettuce multiplexes every
 *     command over one connection per server
 * @param tls whether to connect with TLS
 * @param tlsCaCert {@code tls.cacert}, Entrepot's own key: PEM certificates that may sign the
 *     servers' certificates, or null to trust the JDK's CAs
 */
public record RedisConfig(
        List<String> addrs,
        String masterName,
        String username,
        String password,
        int db,
        Duration dialTimeout,
        Duration readTimeout,
        Duration writeTimeout,
        Pool pool,
        boolean tls,
        Path tlsCaCert) {

    /** Creates a configuration that trusts the JDK's CAs when {@code tls} is true. */
    public RedisConfig(List<String> addrs, String masterName, String username, String password, int db,
            Duration dialTimeout, Duration readTimeout, Duration writeTimeout, Pool pool, boolean tls) {
        this(addrs, masterName, username, password, db, dialTimeout, readTimeout, writeTimeout, pool, tls, null);
    }

    /** {@code redis.pool}: {@code maxidle}, {@code maxactive}, {@code idletimeout}. */
    public record Pool(int maxIdle, int maxActive, Duration idleTimeout) {}

    /** Timeouts used when the section leaves them out: a cache must respond fast or be skipped. */
    public static final Duration DEFAULT_DIAL_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_IO_TIMEOUT = Duration.ofSeconds(1);

    public static final RedisConfig NONE = new RedisConfig(List.of(), null, null, null, 0,
            DEFAULT_DIAL_TIMEOUT, DEFAULT_IO_TIMEOUT, DEFAULT_IO_TIMEOUT, new Pool(0, 0, Duration.ZERO), false);

    public boolean configured() {
        return !addrs.isEmpty();
    }

    /** Redis deployment shape chosen from the addresses and {@code mastername}. */
    public enum Mode { STANDALONE, SENTINEL, CLUSTER }

    public Mode mode() {
        if (masterName != null) {
            return Mode.SENTINEL;
        }
        return addrs.size() > 1 ? Mode.CLUSTER : Mode.STANDALONE;
    }

    /** Masks the password, so the record can be logged. */
    @Override
    public String toString() {
        return "RedisConfig[addrs=" + addrs + ", mode=" + mode() + ", db=" + db + ", tls=" + tls
                + (tlsCaCert == null ? "" : ", tlsCaCert=" + tlsCaCert) + "]";
    }
}
