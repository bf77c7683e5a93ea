package io.entrepot.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The {@code health} section: periodic checks whose failure makes the instance not ready, so a
 * load balancer or orchestrator stops sending it requests.
 */
public record HealthConfig(StorageDriverCheck storageDriver, List<FileCheck> files, List<HttpCheck> http, List<TcpCheck> tcp) {

    /** Distribution's check interval when none is given. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

    /** Timeout of an http or tcp check when none is given. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);

    /** Distribution checks the storage driver by default. */
    public static final HealthConfig DEFAULT = new HealthConfig(
            new StorageDriverCheck(true, DEFAULT_INTERVAL, 1), List.of(), List.of(), List.of());

    /**
     * {@code health.storagedriver}.
     *
     * @param threshold consecutive failures before the check reports failure, at least 1
     */
    public record StorageDriverCheck(boolean enabled, Duration interval, int threshold) {}

    /** {@code health.file[]}: the check fails while {@code file} exists. */
    public record FileCheck(String file, Duration interval) {}

    /** {@code health.http[]}: the check fails unless {@code uri} returns {@code statusCode}. */
    public record HttpCheck(String uri, Map<String, List<String>> headers, int statusCode, Duration timeout, Duration interval, int threshold) {}

    /** {@code health.tcp[]}: the check fails unless a connection to {@code addr} opens. */
    public record TcpCheck(String addr, Duration timeout, Duration interval, int threshold) {}
}
