package io.entrepot.config;

/**
 * The whole configuration of one Entrepot process, read from distribution's {@code config.yml}
 * format and validated as a whole by {@link ConfigLoader}.
 */
public record RegistryConfig(
        String version, LogConfig log, StorageConfig storage, HttpConfig http, MetricsConfig metrics, TracingConfig tracing) {

    /** Creates a configuration with the default metrics settings and tracing off. */
    public RegistryConfig(String version, LogConfig log, StorageConfig storage, HttpConfig http) {
        this(version, log, storage, http, MetricsConfig.DEFAULT, TracingConfig.DISABLED);
    }
}
