package io.entrepot.config;

/**
 * The whole configuration of one Entrepot process, read from distribution's {@code config.yml}
 * format and validated as a whole by {@link ConfigLoader}.
 */
public record RegistryConfig(
        String version,
        LogConfig log,
        StorageConfig storage,
        HttpConfig http,
        MetricsConfig metrics,
        TracingConfig tracing,
        CacheConfig cache,
        RedisConfig redis,
        HealthConfig health) {

    /** Creates a configuration with the default metrics settings, tracing off, no cache and the default health check. */
    public RegistryConfig(String version, LogConfig log, StorageConfig storage, HttpConfig http) {
        this(version, log, storage, http, MetricsConfig.DEFAULT, TracingConfig.DISABLED);
    }

    /** Creates a configuration with no cache, no Redis and the default storage health check. */
    public RegistryConfig(String version, LogConfig log, StorageConfig storage, HttpConfig http, MetricsConfig metrics, TracingConfig tracing) {
        this(version, log, storage, http, metrics, tracing, CacheConfig.NONE, RedisConfig.NONE, HealthConfig.DEFAULT);
    }
}
