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
        AuthConfig auth,
        AuditConfig audit,
        CacheConfig cache,
        RedisConfig redis,
        HealthConfig health,
        RetentionConfig retention,
        AccessConfig access) {

    /** Creates a configuration with the default metrics settings, tracing off, no authentication and no audit log. */
    public RegistryConfig(String version, LogConfig log, StorageConfig storage, HttpConfig http) {
        this(version, log, storage, http, MetricsConfig.DEFAULT, TracingConfig.DISABLED);
    }

    /** Creates a configuration without authentication and without an audit log. */
    public RegistryConfig(String version, LogConfig log, StorageConfig storage, HttpConfig http, MetricsConfig metrics, TracingConfig tracing) {
        this(version, log, storage, http, metrics, tracing, AuthConfig.NONE, AuditConfig.DISABLED);
    }

    /** Creates a configuration with the default metrics settings and tracing off. */
    public RegistryConfig(String version, LogConfig log, StorageConfig storage, HttpConfig http, AuthConfig auth, AuditConfig audit) {
        this(version, log, storage, http, MetricsConfig.DEFAULT, TracingConfig.DISABLED, auth, audit);
    }

    /** Creates a configuration with no cache, no Redis and the default storage health check. */
    public RegistryConfig(String version, LogConfig log, StorageConfig storage, HttpConfig http, MetricsConfig metrics, TracingConfig tracing,
            AuthConfig auth, AuditConfig audit) {
        this(version, log, storage, http, metrics, tracing, auth, audit, CacheConfig.NONE, RedisConfig.NONE, HealthConfig.DEFAULT);
    }

    /** Creates a configuration without authentication and without an audit log, with the given cache and health checks. */
    public RegistryConfig(String version, LogConfig log, StorageConfig storage, HttpConfig http, MetricsConfig metrics, TracingConfig tracing,
            CacheConfig cache, RedisConfig redis, HealthConfig health) {
        this(version, log, storage, http, metrics, tracing, AuthConfig.NONE, AuditConfig.DISABLED, cache, redis, health);
    }

    /** Creates a configuration without retention rules. */
    public RegistryConfig(String version, LogConfig log, StorageConfig storage, HttpConfig http, MetricsConfig metrics, TracingConfig tracing,
            AuthConfig auth, AuditConfig audit, CacheConfig cache, RedisConfig redis, HealthConfig health) {
        this(version, log, storage, http, metrics, tracing, auth, audit, cache, redis, health, RetentionConfig.NONE);
    }

    /** Creates a configuration without access rules: the authentication scheme alone decides. */
    public RegistryConfig(String version, LogConfig log, StorageConfig storage, HttpConfig http, MetricsConfig metrics, TracingConfig tracing,
            AuthConfig auth, AuditConfig audit, CacheConfig cache, RedisConfig redis, HealthConfig health, RetentionConfig retention) {
        this(version, log, storage, http, metrics, tracing, auth, audit, cache, redis, health, retention, AccessConfig.NONE);
    }

    /** Returns a copy with {@code auth} and {@code access} replaced. */
    public RegistryConfig withAccess(AuthConfig auth, AccessConfig access) {
        return new RegistryConfig(version, log, storage, http, metrics, tracing, auth, audit, cache, redis, health, retention, access);
    }
}
