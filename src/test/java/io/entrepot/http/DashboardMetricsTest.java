package io.entrepot.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.entrepot.config.HttpConfig;
import io.entrepot.config.LogConfig;
import io.entrepot.config.MetricsConfig;
import io.entrepot.config.RegistryConfig;
import io.entrepot.config.StorageConfig;
import io.entrepot.config.TracingConfig;
import io.entrepot.testing.TestConfigs;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every metric that the shipped Grafana dashboard and alert rules query is exported by the server. */
class DashboardMetricsTest {

    private static final Path DASHBOARD = Path.of("deploy/grafana/entrepot.json");
    private static final Path ALERTS = Path.of("deploy/prometheus/alerts.yml");

    /** Series that Prometheus itself adds to every target, so no exporter serves them. */
    private static final Set<String> SYNTHETIC = Set.of("up");

    /** PromQL aggregation operators, keywords and functions that can appear without parentheses after them. */
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "and", "or", "unless", "bool", "offset");

    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    @TempDir
    Path root;

    @Test
    void dashboardQueries_everyMetricExported() throws Exception {
        Set<String> names = metricNames(dashboardQueries());

        assertThat(names).as("metrics the dashboard queries").contains(
                "registry_http_requests_total", "registry_http_request_duration_seconds_bucket",
                "registry_storage_used_bytes", "registry_storage_cache_total", "registry_toppulls_pulls");
        assertExported(names);
    }

    @Test
    void alertRules_everyMetricExported() throws Exception {
        Set<String> names = metricNames(alertQueries());

        assertThat(names).as("metrics the alert rules query").contains(
                "registry_http_requests_total", "registry_gc_last_success_timestamp_seconds");
        assertExported(names);
    }

    @Test
    void metricNames_promqlWithLabelsAndFunctions_keepsOnlyMetrics() {
        String query = "histogram_quantile(0.95, sum by (le, instance) (rate(a_bucket{handler!~\"blob|x\"}[$__rate_interval])))"
                + " / (max(b_total) or vector(0)) > 8 * 86400 and time() - c";

        assertThat(metricNames(List.of(query))).containsExactlyInAnyOrder("a_bucket", "b_total", "c");
    }

    /** Starts a server, sends traffic that fills every family, and checks each name has a sample in the scrape. */
    private void assertExported(Set<String> names) throws Exception {
        MetricsConfig metrics = new MetricsConfig(true, "/metrics", Duration.ofSeconds(1), 1L << 40, 10);
        try (RegistryServer server = RegistryServer.start(config(metrics))) {
            MetricsEndpointTest.pushAndPull(server, "dashboard/app");
            // Garbage collection does not run inside the server yet, so record one run directly.
            server.metrics().gc().recordRun(Duration.ofSeconds(3), Instant.now(), true, 1, 0, 10);

            String scrape = "";
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < deadline && !scrape.contains("registry_storage_used_bytes ")) {
                Thread.sleep(200);
                scrape = MetricsEndpointTest.scrape(server, "/metrics", null).body();
            }

            Set<String> exported = new TreeSet<>();
            scrape.lines().filter(line -> !line.startsWith("#") && !line.isBlank())
                    .forEach(line -> exported.add(line.split("[{ ]", 2)[0]));
            for (String name : names) {
                assertThat(exported).as("samples of %s in the scrape", name).contains(name);
            }
        }
    }

    private static List<String> dashboardQueries() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        List<String> queries = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                queries.add(target.path("expr").asText());
            }
        }
        return queries;
    }

    private static List<String> alertQueries() throws IOException {
        JsonNode rules = new YAMLMapper().readTree(ALERTS.toFile());
        List<String> queries = new ArrayList<>();
        for (JsonNode group : rules.path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                queries.add(rule.path("expr").asText());
            }
        }
        return queries;
    }

    /**
     * Returns the metric names in PromQL queries: identifiers outside label matchers, grouping
     * lists and strings that are not function names, keywords or Grafana variables.
     */
    static Set<String> metricNames(List<String> queries) {
        Set<String> names = new TreeSet<>();
        for (String query : queries) {
            String stripped = query
                    .replaceAll("\\{[^}]*}", " ")
                    .replaceAll("\\[[^]]*]", " ")
                    .replaceAll("\\b(by|without|on|ignoring)\\s*\\([^)]*\\)", " ")
                    .replaceAll("\"[^\"]*\"", " ");
            Matcher matcher = IDENTIFIER.matcher(stripped);
            while (matcher.find()) {
                String name = matcher.group();
                boolean function = stripped.substring(matcher.end()).stripLeading().startsWith("(");
                boolean keyword = KEYWORDS.contains(name) || isAggregation(name);
                if (!function && !keyword && !SYNTHETIC.contains(name) && !Character.isDigit(name.charAt(0))) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    private static boolean isAggregation(String name) {
        return Set.of("sum", "min", "max", "avg", "count", "topk", "bottomk", "quantile", "stddev", "stdvar").contains(name);
    }

    private RegistryConfig config(MetricsConfig metrics) {
        HttpConfig http = new HttpConfig("127.0.0.1:0", HttpConfig.Net.TCP, "/", null, false, Map.of(), Duration.ZERO,
                "127.0.0.1:0", HttpConfig.DEFAULT_MAX_MANIFEST_SIZE);
        StorageConfig storage = new StorageConfig(TestConfigs.filesystem(root), false, StorageConfig.UploadPurging.DEFAULT, false);
        return new RegistryConfig("0.1", LogConfig.DEFAULT, storage, http, metrics, TracingConfig.DISABLED);
    }
}
