package io.entrepot.config;

import java.net.URI;

/**
 * The {@code tracing} section, Entrepot's own: OpenTelemetry spans exported over OTLP/HTTP.
 *
 * @param otlpEndpoint the OTLP/HTTP traces URL, such as {@code http://collector:4318/v1/traces},
 *     or null to turn tracing off
 * @param serviceName the {@code service.name} resource attribute of every span
 * @param samplingRatio the share of new traces that are recorded, from 0 to 1
 */
public record TracingConfig(URI otlpEndpoint, String serviceName, double samplingRatio) {

    public static final String DEFAULT_SERVICE_NAME = "entrepot";

    public static final TracingConfig DISABLED = new TracingConfig(null, DEFAULT_SERVICE_NAME, 1.0);

    public boolean enabled() {
        return otlpEndpoint != null;
    }
}
