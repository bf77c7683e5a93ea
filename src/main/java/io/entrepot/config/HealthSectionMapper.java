package io.entrepot.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Maps the {@code health} section, recording every invalid value with its key, such as {@code health.http.0.uri}. */
final class HealthSectionMapper {

    private final ValueReader reader;

    HealthSectionMapper(ValueReader reader) {
        this.reader = reader;
    }

    HealthConfig health() {
        HealthConfig.StorageDriverCheck defaults = HealthConfig.DEFAULT.storageDriver();
        HealthConfig.StorageDriverCheck storageDriver = new HealthConfig.StorageDriverCheck(
                reader.bool("health.storagedriver.enabled", defaults.enabled()),
                interval("health.storagedriver.interval"),
                threshold("health.storagedriver.threshold"));

        List<HealthConfig.FileCheck> files = items("health.file", key -> new HealthConfig.FileCheck(
                required(key + ".file"), interval(key + ".interval")));
        List<HealthConfig.HttpCheck> http = items("health.http", key -> httpCheck(key));
        List<HealthConfig.TcpCheck> tcp = items("health.tcp", key -> new HealthConfig.TcpCheck(
                required(key + ".addr"), timeout(key + ".timeout"), interval(key + ".interval"), threshold(key + ".threshold")));
        return new HealthConfig(storageDriver, files, http, tcp);
    }

    private HealthConfig.HttpCheck httpCheck(String key) {
        String uri = required(key + ".uri");
        if (!uri.isEmpty()) {
            try {
                URI parsed = new URI(uri);
                if (!"http".equals(parsed.getScheme()) && !"https".equals(parsed.getScheme())) {
                    reader.problem(key + ".uri", "must be an http or https URL", reader.node(key + ".uri"));
                }
            } catch (URISyntaxException e) {
                reader.problem(key + ".uri", "invalid URL, " + e.getReason(), reader.node(key + ".uri"));
            }
        }
        long status = reader.integer(key + ".statuscode", 200);
        if (status < 100 || status > 599) {
            reader.problem(key + ".statuscode", "must be an HTTP status code from 100 to 599", reader.node(key + ".statuscode"));
            status = 200;
        }
        return new HealthConfig.HttpCheck(uri, headers(key + ".headers"), (int) status, timeout(key + ".timeout"),
                interval(key + ".interval"), threshold(key + ".threshold"));
    }

    /** Maps each item of the list at {@code key}, naming items {@code key.0}, {@code key.1}, … */
    private <T> List<T> items(String key, IntFunctionWithKey<T> mapper) {
        JsonNode list = reader.node(key);
        if (list == null) {
            return List.of();
        }
        if (!list.isArray()) {
            reader.problem(key, "must be a list of checks", list);
            return List.of();
        }
        List<T> result = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            if (!list.get(i).isObject()) {
                reader.problem(key + "." + i, "must be a map of check settings", list.get(i));
                continue;
            }
            result.add(mapper.apply(key + "." + i));
        }
        return List.copyOf(result);
    }

    /** Maps one list item, given its key path such as {@code health.tcp.0}. */
    @FunctionalInterface
    private interface IntFunctionWithKey<T> {
        T apply(String key);
    }

    private String required(String key) {
        String value = reader.string(key, "");
        if (value.isBlank()) {
            reader.problem(key, "missing, every check needs it", null);
        }
        return value;
    }

    private Duration interval(String key) {
        Duration interval = reader.duration(key, HealthConfig.DEFAULT_INTERVAL);
        if (interval.isZero()) {
            reader.problem(key, "must be greater than zero", reader.node(key));
            return HealthConfig.DEFAULT_INTERVAL;
        }
        return interval;
    }

    private Duration timeout(String key) {
        Duration timeout = reader.duration(key, HealthConfig.DEFAULT_TIMEOUT);
        if (timeout.isZero()) {
            reader.problem(key, "must be greater than zero", reader.node(key));
            return HealthConfig.DEFAULT_TIMEOUT;
        }
        return timeout;
    }

    /** Distribution treats a threshold of 0 as "fail on the first error", which is a threshold of 1. */
    private int threshold(String key) {
        long threshold = reader.integer(key, 0);
        if (threshold < 0 || threshold > 1000) {
            reader.problem(key, "must be a number of consecutive failures from 0 to 1000", reader.node(key));
            return 1;
        }
        return (int) Math.max(1, threshold);
    }

    private Map<String, List<String>> headers(String key) {
        JsonNode headers = reader.node(key);
        if (headers == null) {
            return Map.of();
        }
        if (!headers.isObject()) {
            reader.problem(key, "must be a map of header names to lists of values", headers);
            return Map.of();
        }
        Map<String, List<String>> result = new LinkedHashMap<>();
        headers.properties().forEach(entry -> {
            List<String> values = new ArrayList<>();
            if (entry.getValue().isArray()) {
                entry.getValue().forEach(value -> values.add(value.asText()));
            } else {
                values.add(entry.getValue().asText());
            }
            result.put(entry.getKey(), List.copyOf(values));
        });
        return result;
    }
}
