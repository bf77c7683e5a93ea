package io.entrepot.config;

/**
 * The whole configuration of one Entrepot process, read from distribution's {@code config.yml}
 * format and validated as a whole by {@link ConfigLoader}.
 */
public record RegistryConfig(String version, LogConfig log, StorageConfig storage, HttpConfig http, AuthConfig auth, AuditConfig audit) {

    /** Creates a configuration without authentication and without an audit log. */
    public RegistryConfig(String version, LogConfig log, StorageConfig storage, HttpConfig http) {
        this(version, log, storage, http, AuthConfig.NONE, AuditConfig.DISABLED);
    }
}
