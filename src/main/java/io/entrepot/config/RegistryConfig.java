package io.entrepot.config;

/**
 * The whole configuration of one Entrepot process, read from distribution's {@code config.yml}
 * format and validated as a whole by {@link ConfigLoader}.
 */
public record RegistryConfig(
        String version, LogConfig log, StorageConfig storage, HttpConfig http, CacheConfig cache, RedisConfig redis, HealthConfig health) {

    /** A configuration with no cache, no Redis and only the default storage health check. */
    public RegistryConfig(String version, LogConfig log, StorageConfig storage, HttpConfig http) {
        this(version, log, storage, http, CacheConfig.NONE, RedisConfig.NONE, HealthConfig.DEFAULT);
    }
}
