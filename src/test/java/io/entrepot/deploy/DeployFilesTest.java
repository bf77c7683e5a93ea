package io.entrepot.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.entrepot.config.ConfigException;
import io.entrepot.config.ConfigLoader;
import io.entrepot.config.ConfigProblem;
import io.entrepot.config.LoadedConfig;
import io.entrepot.config.RegistryConfig;
import io.entrepot.e2e.ExternalTools;
import io.entrepot.testing.NginxMainConfig;
import io.entrepot.testing.NginxProcess;
import io.entrepot.testing.SelfSignedCertificate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files under {@code deploy/}, each checked by the tool that reads it where one is
 * installed: nginx, HAProxy, systemd-analyze and Entrepot's own configuration loader. Docker
 * Compose and Kubernetes files are parsed and their cross-file settings compared, because
 * {@code docker compose config} and {@code kubectl} validation need a plugin or an API server.
 */
@Tag("external")
class DeployFilesTest {

    private static final Path DEPLOY = Path.of("deploy").toAbsolutePath();
    private static final ObjectMapper YAML = new YAMLMapper();

    @TempDir
    Path work;

    /** Exit code and merged standard output and error of a finished command. */
    private record Result(int exitCode, String output) {}

    private Result run(List<String> command) throws IOException, InterruptedException {
        Path output = work.resolve("command.out");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("timed out: " + String.join(" ", command));
        }
        return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    }

    private Path selfSignedCertificate() throws Exception {
        return SelfSignedCertificate.create(work.resolve("certs"));
    }

    @Test
    void nginxConfig_passesNginxCheck() throws Exception {
        Path nginx = ExternalTools.require("nginx");
        Path certs = selfSignedCertificate();
        String original = Files.readString(DEPLOY.resolve("nginx/entrepot.conf"));
        // nginx resolves upstream names when it loads, and Docker's names do not resolve here, so
        // they become loopback ports. The listen ports move off the privileged ones.
        String local = NginxProcess.loopbackConfig(original, List.of(15001, 15002, 15003), 18443, 18080, certs);
        Files.writeString(work.resolve("entrepot.conf"), local);
        Files.writeString(work.resolve("nginx.conf"), NginxMainConfig.wrapping(work, work.resolve("entrepot.conf")));

        Result result = run(List.of(nginx.toString(), "-t", "-c", work.resolve("nginx.conf").toString(), "-p", work + "/"));

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("test is successful");
        assertThat(original).contains("least_conn;", "max_fails=3 fail_timeout=30s", "client_max_body_size 0;",
                "chunked_transfer_encoding on;", "proxy_buffering off;", "proxy_request_buffering off;",
                "proxy_read_timeout 900s;", "proxy_send_timeout 900s;", "ssl_certificate ", "X-Forwarded-Proto $scheme");
    }

    @Test
    void haproxyConfig_passesHaproxyCheck() throws Exception {
        Path haproxy = ExternalTools.require("haproxy");
        Path certs = selfSignedCertificate();
        String original = Files.readString(DEPLOY.resolve("haproxy/haproxy.cfg"));
        Files.writeString(work.resolve("haproxy.cfg"), original.replace("/etc/haproxy/certs", certs.toString()));

        Result result = run(List.of(haproxy.toString(), "-c", "-f", work.resolve("haproxy.cfg").toString()));

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("Configuration file is valid").doesNotContain("[ALERT]");
        assertThat(original).contains("http-check send meth GET uri /readyz", "http-check expect status 200", "balance leastconn",
                "timeout server 900s");
    }

    @Test
    void systemdUnits_passVerify() throws Exception {
        Path analyze = ExternalTools.require("systemd-analyze");
        Path launcher = Path.of("entrepot").toAbsolutePath();
        // The unit runs the launcher from /opt/entrepot; verify checks that ExecStart exists, so
        // it points at this checkout's launcher instead.
        String unit = Files.readString(DEPLOY.resolve("systemd/entrepot@.service")).replace("/opt/entrepot/entrepot", launcher.toString());
        Files.writeString(work.resolve("entrepot@.service"), unit);
        Files.copy(DEPLOY.resolve("systemd/entrepot.target"), work.resolve("entrepot.target"));

        Result result = run(List.of(analyze.toString(), "verify", "--man=no",
                work.resolve("entrepot@1.service").toString(), work.resolve("entrepot.target").toString()));

        assertThat(result.exitCode()).as(result.output()).isZero();
        // systemd-analyze exits 0 on settings it ignores, and prints them.
        assertThat(result.output().lines().filter(line -> !line.contains("entrepot@2.service") && !line.contains("entrepot@3.service")))
                .as(result.output()).isEmpty();
    }

    @Test
    void entrepotConfigs_loadWithoutProblemsOrWarnings() throws Exception {
        LoadedConfig compose = ConfigLoader.load(DEPLOY.resolve("entrepot/config.yml"), Map.of());
        LoadedConfig kubernetes = ConfigLoader.load(configMapFile(), Map.of());

        assertThat(compose.warnings()).isEmpty();
        assertThat(kubernetes.warnings()).isEmpty();
        assertThat(compose.config().http().shutdownDelay()).isPositive();
        assertThat(compose.config().http().trustedProxies()).isNotEmpty();
    }

    @Test
    void s3Config_rejectedOnlyForTheDriver() throws Exception {
        try {
            ConfigLoader.load(DEPLOY.resolve("entrepot/config-s3.yml"), Map.of());
        } catch (ConfigException e) {
            // Until the S3 driver exists, storage.s3 is the only accepted problem.
            assertThat(e.problems()).extracting(ConfigProblem::key).allMatch(key -> key.startsWith("storage.s3"));
        }
    }

    @Test
    void composeFile_declaresWholeStack() throws Exception {
        Path compose = DEPLOY.resolve("docker-compose.yml");
        Result plugin = dockerComposeVersion();
        if (plugin.exitCode() == 0) {
            Result config = run(List.of("docker", "compose", "-f", compose.toString(), "config", "--quiet"));
            assertThat(config.exitCode()).as(config.output()).isZero();
        }
        // NOTE: without the compose plugin (not installed here) only this structural check runs.
        JsonNode services = YAML.readTree(compose.toFile()).path("services");
        Set<String> names = new TreeSet<>();
        services.fieldNames().forEachRemaining(names::add);

        assertThat(names).containsExactlyInAnyOrder("entrepot-1", "entrepot-2", "entrepot-3", "nginx", "redis", "minio", "prometheus", "grafana");
        assertThat(services.path("redis").path("command").toString()).contains("allkeys-lru", "256mb");
        for (String volume : List.of("./nginx/entrepot.conf", "./prometheus/prometheus.yml", "./entrepot/")) {
            assertThat(Files.readString(compose)).contains(volume);
        }
        Duration grace = Duration.parse("PT" + YAML.readTree(compose.toFile()).path("x-entrepot").path("stop_grace_period").asText().toUpperCase());
        RegistryConfig config = ConfigLoader.load(DEPLOY.resolve("entrepot/config.yml"), Map.of()).config();
        assertThat(grace).isGreaterThan(config.http().shutdownDelay().plus(config.http().drainTimeout()));
    }

    private Result dockerComposeVersion() throws InterruptedException {
        try {
            return run(List.of("docker", "compose", "version"));
        } catch (IOException e) {
            return new Result(-1, e.getMessage());
        }
    }

    @Test
    void kubernetesManifests_probesAndGracePeriodMatchConfig() throws Exception {
        Map<String, JsonNode> byKind = new HashMap<>();
        for (JsonNode document : kubernetesDocuments()) {
            byKind.put(document.path("kind").asText(), document);
        }
        assertThat(byKind).containsKeys("Deployment", "Service", "PodDisruptionBudget", "ConfigMap", "PersistentVolumeClaim");

        JsonNode pod = byKind.get("Deployment").path("spec").path("template").path("spec");
        JsonNode container = pod.path("containers").get(0);
        assertThat(container.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/readyz");
        assertThat(container.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/livez");

        RegistryConfig config = ConfigLoader.load(configMapFile(), Map.of()).config();
        Duration grace = Duration.ofSeconds(pod.path("terminationGracePeriodSeconds").asLong());
        assertThat(grace).isGreaterThan(config.http().shutdownDelay().plus(config.http().drainTimeout()));
        JsonNode readiness = container.path("readinessProbe");
        Duration readinessReaction = Duration.ofSeconds(readiness.path("periodSeconds").asLong() * readiness.path("failureThreshold").asLong());
        assertThat(config.http().shutdownDelay()).isGreaterThan(readinessReaction);

        JsonNode selector = byKind.get("PodDisruptionBudget").path("spec").path("selector").path("matchLabels");
        assertThat(selector).isEqualTo(byKind.get("Deployment").path("spec").path("selector").path("matchLabels"));
        assertThat(byKind.get("Service").path("spec").path("selector")).isEqualTo(selector);
    }

    private List<JsonNode> kubernetesDocuments() throws IOException {
        List<JsonNode> documents = new ArrayList<>();
        try (var files = Files.list(DEPLOY.resolve("kubernetes"))) {
            for (Path file : files.sorted().toList()) {
                var parser = new YAMLFactory().createParser(file.toFile());
                JsonMapper json = new JsonMapper();
                json.readValues(parser, JsonNode.class).forEachRemaining(documents::add);
            }
        }
        return documents;
    }

    /** Writes the ConfigMap's config.yml to a file, as Kubernetes mounts it. */
    private Path configMapFile() throws IOException {
        JsonNode configMap = YAML.readTree(DEPLOY.resolve("kubernetes/configmap.yaml").toFile());
        Path file = work.resolve("configmap-config.yml");
        Files.writeString(file, configMap.path("data").path("config.yml").asText());
        return file;
    }
}
