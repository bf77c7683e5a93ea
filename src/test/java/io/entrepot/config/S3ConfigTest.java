package io.entrepot.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code storage.s3}, {@code storage.redirect} and {@code middleware.storage} as distribution's config.yml writes them. */
class S3ConfigTest {

    private static final String S3 = """
            version: 0.1
            storage:
              s3:
                accesskey: AKIDEXAMPLE
                secretkey: wJalrXUtnFEMI
                region: eu-west-3
                bucket: registry-images
            """;

    @TempDir
    Path directory;

    @Test
    void load_minimalS3_appliesDistributionDefaults() throws Exception {
        LoadedConfig loaded = load(S3, Map.of());

        StorageConfig.S3 s3 = (StorageConfig.S3) loaded.config().storage().driver();
        assertThat(s3.bucket()).isEqualTo("registry-images");
        assertThat(s3.region()).isEqualTo("eu-west-3");
        assertThat(s3.endpoint()).isNull();
        assertThat(s3.chunkSize()).isEqualTo(10L * 1024 * 1024);
        assertThat(s3.uploadConcurrency()).isEqualTo(4);
        assertThat(s3.multipartCopyChunkSize()).isEqualTo(32L * 1024 * 1024);
        assertThat(s3.multipartCopyMaxConcurrency()).isEqualTo(100);
        assertThat(s3.multipartCopyThresholdSize()).isEqualTo(32L * 1024 * 1024);
        assertThat(s3.storageClass()).isEqualTo("STANDARD");
        assertThat(s3.objectAcl()).isEqualTo("private");
        assertThat(s3.secure()).isTrue();
        assertThat(s3.v4Auth()).isTrue();
        assertThat(s3.forcePathStyle()).isFalse();
        assertThat(s3.rootDirectory()).isEmpty();
        assertThat(loaded.config().storage().redirect().disabled()).isFalse();
        assertThat(loaded.config().storage().redirect().expiry()).isEqualTo(Duration.ofMinutes(20));
        assertThat(loaded.warnings()).isEmpty();
    }

    @Test
    void load_operatorCourseSettings_readAsWritten() throws Exception {
        // The keys and values of an operators' course on production registries.
        LoadedConfig loaded = load(S3 + """
                    chunksize: 5242880
                    multipartcopythresholdsize: 33554432
                    multipartcopymaxconcurrency: 100
                    encrypt: true
                    keyid: aws-kms-key-id
                    storageclass: STANDARD_IA
                    regionendpoint: minio.internal:9000
                    secure: false
                    forcepathstyle: true
                    rootdirectory: /registry/
                """, Map.of());

        StorageConfig.S3 s3 = (StorageConfig.S3) loaded.config().storage().driver();
        assertThat(s3.chunkSize()).isEqualTo(5_242_880);
        assertThat(s3.multipartCopyThresholdSize()).isEqualTo(33_554_432);
        assertThat(s3.encrypt()).isTrue();
        assertThat(s3.keyId()).isEqualTo("aws-kms-key-id");
        assertThat(s3.storageClass()).isEqualTo("STANDARD_IA");
        assertThat(s3.endpoint()).isEqualTo(URI.create("http://minio.internal:9000"));
        assertThat(s3.rootDirectory()).isEqualTo("registry");
    }

    @Test
    void load_uploadConcurrency_readAsWritten() throws Exception {
        LoadedConfig loaded = load(S3 + "    uploadconcurrency: 8\n", Map.of());

        assertThat(((StorageConfig.S3) loaded.config().storage().driver()).uploadConcurrency()).isEqualTo(8);
    }

    @Test
    void load_uploadBufferMemory_readAsWritten() throws Exception {
        LoadedConfig loaded = load(S3 + "    uploadbuffermemory: 104857600\n", Map.of());

        assertThat(((StorageConfig.S3) loaded.config().storage().driver()).uploadBufferMemory()).isEqualTo(104_857_600);
        assertThat(ConfigPrinter.toYaml(loaded)).contains("uploadbuffermemory: 104857600");
    }

    @Test
    void load_bufferMemoryUnset_usesDefault() throws Exception {
        LoadedConfig loaded = load(S3 + "    maxconnections: 3\n", Map.of());

        long expected = Math.min(Runtime.getRuntime().maxMemory() / 4, 3 * 10L * 1024 * 1024);
        assertThat(((StorageConfig.S3) loaded.config().storage().driver()).uploadBufferMemory()).isEqualTo(expected);
    }

    @Test
    void defaultBufferMemory_quarterHeapCapped() {
        long mib = StorageConfig.S3.MIB;

        assertThat(StorageConfig.S3.defaultUploadBufferMemory(512 * mib, 10 * mib, 100)).isEqualTo(128 * mib);
        assertThat(StorageConfig.S3.defaultUploadBufferMemory(16_384 * mib, 10 * mib, 100)).isEqualTo(1_000 * mib);
    }

    @Test
    void load_uploadBufferMemoryNegative_rejectedWithValue() throws Exception {
        ConfigException error = loadExpectingFailure(S3 + "    uploadbuffermemory: -1\n", Map.of());

        assertThat(error.problems()).extracting(ConfigProblem::toString).containsExactly(
                "storage.s3.uploadbuffermemory: must be a number of bytes, 0 or more (0 sends the parts of every upload"
                        + " one at a time) (value \"-1\")");
    }

    @Test
    void load_uploadBufferMemoryAboveHeap_warned() throws Exception {
        long aboveHeap = Runtime.getRuntime().maxMemory() + 1;
        LoadedConfig loaded = load(S3 + "    uploadbuffermemory: " + aboveHeap + "\n", Map.of());

        assertThat(loaded.warnings()).singleElement().asString()
                .startsWith("storage.s3.uploadbuffermemory: " + aboveHeap + " bytes exceeds the maximum heap");
    }

    @Test
    void load_environmentOverride_setsS3Key() throws Exception {
        LoadedConfig loaded = load(S3, Map.of("REGISTRY_STORAGE_S3_CHUNKSIZE", "20971520", "REGISTRY_STORAGE_S3_STORAGECLASS", "NONE"));

        StorageConfig.S3 s3 = (StorageConfig.S3) loaded.config().storage().driver();
        assertThat(s3.chunkSize()).isEqualTo(20_971_520);
        assertThat(s3.storageClass()).isNull();
    }

    @Test
    void load_invalidS3Values_everyProblemNamesKeyAndValue() throws Exception {
        ConfigException error = loadExpectingFailure("""
                version: 0.1
                storage:
                  s3:
                    accesskey: AKIDEXAMPLE
                    secretkey: wJalrXUtnFEMI
                    chunksize: 1048576
                    multipartcopymaxconcurrency: 0
                    uploadconcurrency: 65
                    storageclass: GLACIER
                    objectacl: world-writable
                    regionendpoint: "ftp://minio"
                    loglevel: chatty
                    sockettimeout: 0s
                """, Map.of());

        assertThat(error.problems()).extracting(ConfigProblem::toString).containsExactlyInAnyOrder(
                "storage.s3.region: missing, set the bucket's region, such as us-east-1; any value for a server that ignores it",
                "storage.s3.bucket: missing, set the name of an existing bucket",
                "storage.s3.chunksize: must be a number of bytes from 5242880 (5 MiB, S3's minimum part size) to 5368709120 (5 GiB)"
                        + " (value \"1048576\")",
                "storage.s3.multipartcopymaxconcurrency: must be an integer from 1 to 10000 (value \"0\")",
                "storage.s3.uploadconcurrency: must be an integer from 1 to 64 (value \"65\")",
                "storage.s3.storageclass: must be one of STANDARD, REDUCED_REDUNDANCY, STANDARD_IA, ONEZONE_IA,"
                        + " INTELLIGENT_TIERING, GLACIER_IR, NONE (value \"GLACIER\")",
                "storage.s3.objectacl: must be one of private, public-read, public-read-write, authenticated-read,"
                        + " aws-exec-read, bucket-owner-read, bucket-owner-full-control, log-delivery-write (value \"world-writable\")",
                "storage.s3.regionendpoint: must be an http or https URL or a host name, such as https://minio.example.com:9000"
                        + " (value \"ftp://minio\")",
                "storage.s3.loglevel: must be one of off, debug, debugwithsigning, debugwithhttpbody, debugwithrequestretries,"
                        + " debugwithrequesterrors, debugwitheventstreambody (value \"chatty\")",
                "storage.s3.sockettimeout: must be greater than zero, because a request must not wait forever (value \"0s\")");
        assertThat(error.getMessage()).doesNotContain("wJalrXUtnFEMI");
    }

    @Test
    void load_v4authFalseAndKeyIdWithoutEncrypt_warned() throws Exception {
        LoadedConfig loaded = load(S3 + "    v4auth: false\n    keyid: some-key\n", Map.of());

        assertThat(loaded.warnings()).containsExactly(
                "storage.s3.v4auth: false is not supported, because the AWS SDK for Java v2 signs only with signature"
                        + " version 4; Entrepot signs with version 4",
                "storage.s3.keyid is ignored because storage.s3.encrypt is false");
    }

    @Test
    void load_redirectAndMiddleware_readInOrder() throws Exception {
        Path key = Files.writeString(directory.resolve("cloudfront.pem"), "-----BEGIN RSA PRIVATE KEY-----\n-----END RSA PRIVATE KEY-----\n");
        LoadedConfig loaded = load(S3 + """
                  redirect:
                    disable: false
                    expiry: 5m
                middleware:
                  storage:
                    - name: cloudfront
                      options:
                        baseurl: https://d111111abcdef8.cloudfront.net/
                        privatekey: %s
                        keypairid: K2JCJMDEHXQW5F
                        duration: 3000s
                        ipfilteredby: none
                    - name: redirect
                      options:
                        baseurl: https://cdn.example.com/
                """.formatted(key), Map.of());

        StorageConfig.Redirect redirect = loaded.config().storage().redirect();
        assertThat(redirect.expiry()).isEqualTo(Duration.ofMinutes(5));
        assertThat(redirect.middleware()).containsExactly(
                new StorageConfig.CloudFront(URI.create("https://d111111abcdef8.cloudfront.net/"), key, "K2JCJMDEHXQW5F",
                        Duration.ofSeconds(3000), "none", List.of(), Duration.ofHours(12)),
                new StorageConfig.BaseUrlRedirect(URI.create("https://cdn.example.com/")));
        assertThat(loaded.warnings()).isEmpty();
        assertThat(ConfigPrinter.toYaml(loaded)).doesNotContain("wJalrXUtnFEMI").doesNotContain("AKIDEXAMPLE")
                .doesNotContain(key.toString());
    }

    @Test
    void load_invalidMiddleware_everyProblemReported() throws Exception {
        ConfigException error = loadExpectingFailure(S3 + """
                middleware:
                  storage:
                    - name: cloudfront
                      options:
                        baseurl: d111111abcdef8.cloudfront.net
                        privatekey: /nonexistent/key.pem
                        ipfilteredby: awsregion
                        awsregion: us-east-1, us-east-2
                    - name: fastly
                """, Map.of());

        assertThat(error.problems()).extracting(ConfigProblem::key).containsExactly(
                "middleware.storage.0.options.baseurl",
                "middleware.storage.0.options.privatekey",
                "middleware.storage.0.options.keypairid",
                "middleware.storage.0.options.ipfilteredby",
                "middleware.storage.1.name");
        assertThat(error.getMessage()).contains("ipfilteredby: is not supported yet, because the AWS IP ranges source it needs"
                + " is not fetched by Entrepot; use none (value \"awsregion\")");
    }

    @Test
    void load_redirectDisabled_readAsDisabled() throws Exception {
        LoadedConfig loaded = load(S3 + "  redirect:\n    disable: true\n", Map.of());

        assertThat(loaded.config().storage().redirect().disabled()).isTrue();
    }

    private LoadedConfig load(String yaml, Map<String, String> environment) throws Exception {
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
