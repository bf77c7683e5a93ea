package io.entrepot.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;

/** Maps the metrics and tracing keys, recording every invalid value as {@link ConfigMapper} does. */
final class ObservabilityMapper {

    /** A path made of URL path characters only, so that it can be matched against the request path as written. */
    private static final Pattern METRICS_PATH = Pattern.compile("/[A-Za-z0-9._~/-]*");

    private final ValueReader reader;

    ObservabilityMapper(ValueReader reader) {
        this.reader = reader;
    }

    MetricsConfig metrics() {
        MetricsConfig defaults = MetricsConfig.DEFAULT;
        boolean enabled = reader.bool("http.debug.prometheus.enabled", defaults.prometheusEnabled());

        String path = reader.string("http.debug.prometheus.path", defaults.prometheusPath());
        if (!METRICS_PATH.matcher(path).matches() || path.startsWith("/debug/")) {
            reader.problem("http.debug.prometheus.path",
                    "must be a path starting with / outside /debug/, such as /metrics", reader.node("http.debug.prometheus.path"));
            path = defaults.prometheusPath();
        }

        Duration interval = reader.duration("metrics.storageusage.interval", defaults.storageUsageInterval());
        if (!interval.isZero() && interval.compareTo(Duration.ofSeconds(1)) < 0) {
            reader.problem("metrics.storageusage.interval",
                    "must be at least 1s, or 0 to turn the storage usage walk off", reader.node("metrics.storageusage.interval"));
            interval = defaults.storageUsageInterval();
        }

        long quota = reader.integer("metrics.storageusage.quota", 0);
        if (quota < 0) {
            reader.problem("metrics.storageusage.quota", "must be a number of bytes, or 0 for no quota", reader.node("metrics.storageusage.quota"));
            quota = 0;
        }

        long topPulls = reader.integer("metrics.toppulls.size", defaults.topPullsSize());
        if (topPulls < 1 || topPulls > MetricsConfig.MAX_TOP_PULLS_SIZE) {
            reader.problem("metrics.toppulls.size", "must be from 1 to " + MetricsConfig.MAX_TOP_PULLS_SIZE, reader.node("metrics.toppulls.size"));
            topPulls = defaults.topPullsSize();
        }
        return new MetricsConfig(enabled, path, interval, quota, (int) topPulls);
    }

    TracingConfig tracing() {
        TracingConfig defaults = TracingConfig.DISABLED;
        URI endpoint = otlpEndpoint();

        String serviceName = reader.string("tracing.servicename", defaults.serviceName());
        if (serviceName.isBlank()) {
            reader.problem("tracing.servicename", "must not be empty", reader.node("tracing.servicename"));
            serviceName = defaults.serviceName();
        }

        double ratio = samplingRatio(defaults.samplingRatio());
        return new TracingConfig(endpoint, serviceName, ratio);
    }

    /** Returns {@code tracing.otlp.endpoint}, which must be an absolute http or https URL, or null when unset. */
    private URI otlpEndpoint() {
        String value = reader.string("tracing.otlp.endpoint", null);
        if (value == null || value.isBlank()) {
            return null;
        }
        String problem = null;
        try {
            URI uri = new URI(value);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                problem = "must be an absolute http or https URL, such as http://collector:4318/v1/traces";
            } else if (uri.getHost() == null) {
                problem = "must name a host, such as http://collector:4318/v1/traces";
            } else {
                return uri;
            }
        } catch (URISyntaxException e) {
            problem = "invalid URL, " + e.getReason();
        }
        reader.problem("tracing.otlp.endpoint", problem, reader.node("tracing.otlp.endpoint"));
        return null;
    }

    private double samplingRatio(double defaultValue) {
        JsonNode node = reader.node("tracing.samplingratio");
        if (node == null) {
            return defaultValue;
        }
        double ratio;
        if (node.isNumber()) {
            ratio = node.doubleValue();
        } else if (node.isTextual() && node.textValue().matches("[0-9]*\\.?[0-9]+")) {
            ratio = Double.parseDouble(node.textValue());
        } else {
            ratio = Double.NaN;
        }
        if (!(ratio >= 0 && ratio <= 1)) {
            reader.problem("tracing.samplingratio", "must be a number from 0 to 1, such as 0.1", node);
            return defaultValue;
        }
        return ratio;
    }
}
