package io.entrepot.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Unknown keys that look like a misspelling: an error near a safety key, a warning with a hint elsewhere. */
class MisspeltKeyTest {

    private static final String BASE = "version: 0.1\n";
    private static final String STORAGE = "storage:\n  inmemory: {}\n";

    @TempDir
    Path directory;

    /** Each row is the YAML after {@code version}, the key reported and the key it is taken for. */
    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "auht: {htpasswd: {path: /etc/htpasswd}}                                 | auht                                | auth",
        "Auth: {htpasswd: {path: /etc/htpasswd}}                                 | Auth                                | auth",
        "acces: {default: reader}                                                | acces                               | access",
        "audti: {path: /var/log/audit.log}                                       | audti                               | audit",
        "http: {tsl: {certificate: /c.pem, key: /k.pem}}                         | http.tsl                            | http.tls",
        "htpp: {tls: {certificate: /c.pem, key: /k.pem}}                         | htpp                                | http",
        "http: {adr: '127.0.0.1:5000'}                                           | http.adr                            | http.addr",
        "http: {maxblobsiz: 1000}                                                | http.maxblobsiz                     | http.maxblobsize",
        "storage: {inmemory: {}, maintenance: {readonly: {enable: true}}}        | storage.maintenance.readonly.enable | storage.maintenance.readonly.enabled",
        "storage: {inmemory: {}, maintenance: {read-only: {enabled: true}}}      | storage.maintenance.read-only       | storage.maintenance.readonly",
        "storage: {inmemory: {}, maintenance: {readOnly: {enabled: true}}}       | storage.maintenance.readOnly        | storage.maintenance.readonly",
    })
    void load_misspeltSafetyKey_stopsStart(String yaml, String key, String meant) throws IOException {
        String storage = yaml.startsWith("storage:") ? "" : STORAGE;

        ConfigException error = loadExpectingFailure(BASE + storage + yaml + "\n", Map.of());

        assertThat(error.problems()).extracting(ConfigProblem::key).contains(key);
        assertThat(error.getMessage()).contains(key + ": unknown key, did you mean " + meant + "? Entrepot would ignore it and ");
        assertThat(error.getMessage()).contains("so start-up stops");
    }

    @Test
    void load_misspeltAuthFromEnvironment_stopsStart() throws IOException {
        ConfigException error = loadExpectingFailure(BASE + STORAGE, Map.of("REGISTRY_AUHT_HTPASSWD_PATH", "/etc/htpasswd"));

        assertThat(error.problems()).extracting(ConfigProblem::key).containsExactly("auht");
        assertThat(error.getMessage()).contains("auht: unknown key, did you mean auth? Entrepot would ignore it and serve without authentication");
    }

    @Test
    void load_misspeltReadOnlyFromEnvironment_stopsStart() throws IOException {
        ConfigException error = loadExpectingFailure(BASE + STORAGE, Map.of("REGISTRY_STORAGE_MAINTENANCE_READONLY_ENABLE", "true"));

        assertThat(error.problems()).extracting(ConfigProblem::key).containsExactly("storage.maintenance.readonly.enable");
        assertThat(error.getMessage()).contains("accept pushes and deletions although read-only mode was requested");
    }

    @Test
    void load_misspeltAuthScheme_namesSupportedScheme() throws IOException {
        ConfigException error = loadExpectingFailure(BASE + STORAGE + "auth: {htpaswd: {path: /etc/htpasswd}}\n", Map.of());

        assertThat(error.problems()).extracting(ConfigProblem::key).containsExactly("auth.htpaswd");
        assertThat(error.getMessage()).contains("auth.htpaswd: unknown scheme, did you mean auth.htpasswd?");
    }

    @Test
    void load_misspeltOrdinaryKey_warnsWithHint() throws Exception {
        LoadedConfig loaded = load(BASE + STORAGE + "http: {draintimout: 10s}\n", Map.of());

        assertThat(loaded.warnings()).containsExactly("unknown configuration key: http.draintimout, did you mean http.draintimeout?");
    }

    @Test
    void load_misspeltDeleteKey_onlyWarns() throws Exception {
        // Ignoring storage.delete.enabled keeps deletion disabled, which is the safer side.
        LoadedConfig loaded = load(BASE + "storage: {inmemory: {}, delete: {enable: true}}\n", Map.of());

        assertThat(loaded.warnings()).containsExactly("unknown configuration key: storage.delete.enable, did you mean storage.delete.enabled?");
        assertThat(loaded.config().storage().deleteEnabled()).isFalse();
    }

    @Test
    void load_misspeltSectionWithoutSafetyKey_onlyWarns() throws Exception {
        LoadedConfig loaded = load(BASE + STORAGE + "htpp: {draintimeout: 10s}\n", Map.of());

        assertThat(loaded.warnings()).containsExactly("unknown configuration key: htpp, did you mean http?");
    }

    @Test
    void load_unrelatedUnknownKey_warnsWithoutHint() throws Exception {
        LoadedConfig loaded = load(BASE + STORAGE + "frobnicate: 1\n", Map.of());

        assertThat(loaded.warnings()).containsExactly("unknown configuration key: frobnicate");
    }

    private LoadedConfig load(String yaml, Map<String, String> environment) throws IOException, ConfigException {
        Path file = directory.resolve("config.yml");
        Files.writeString(file, yaml);
        return ConfigLoader.load(file, environment);
    }

    private ConfigException loadExpectingFailure(String yaml, Map<String, String> environment) throws IOException {
        Path file = directory.resolve("config.yml");
        Files.writeString(file, yaml);
        ConfigException error = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file, environment));
        assertThat(error).as("ConfigException").isNotNull();
        return error;
    }
}
