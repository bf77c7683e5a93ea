package io.entrepot.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entrepot.config.RegistryConfig;
import io.entrepot.config.StorageConfig;
import io.entrepot.testing.RegistryClient;
import io.entrepot.testing.S3ProxyServer;
import io.entrepot.testing.TestConfigs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * skopeo copies an OCI image into Entrepot on S3 and back out, with blob GETs redirected to
 * presigned S3Proxy URLs, and the image must come back with the same digests.
 */
@Tag("external")
class S3SkopeoTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path directory;

    @Test
    void skopeoCopy_inAndOut_keepsDigests() throws Exception {
        Path skopeo = Path.of("/usr/bin/skopeo");
        if (!Files.isExecutable(skopeo)) {
            if (Boolean.getBoolean("entrepot.requireExternal")) {
                throw new IllegalStateException("skopeo not found at " + skopeo + "; install it with apt-get install skopeo");
            }
            Assumptions.abort("skopeo not installed");
        }
        S3ProxyServer s3 = S3ProxyServer.shared();
        RegistryConfig base = TestConfigs.config(TestConfigs.s3(s3.endpoint(), s3.newBucket()), true);
        StorageConfig storage = base.storage();
        RegistryConfig config = new RegistryConfig(base.version(), base.log(), new StorageConfig(storage.driver(), true,
                storage.uploadPurging(), false, new StorageConfig.Redirect(false, Duration.ofMinutes(5), List.of())), base.http());
        Path source = directory.resolve("source");
        String manifestDigest = writeImage(source, List.of(3 * 1024 * 1024, 12 * 1024 * 1024 + 7));
        Path policy = Files.writeString(directory.resolve("policy.json"), "{\"default\":[{\"type\":\"insecureAcceptAnything\"}]}");

        try (RegistryServer server = RegistryServer.start(config)) {
            String image = "127.0.0.1:" + server.port() + "/library/sample:v1";
            run(skopeo.toString(), "--policy", policy.toString(), "copy", "--dest-tls-verify=false",
                    "oci:" + source + ":v1", "docker://" + image);
            run(skopeo.toString(), "--policy", policy.toString(), "copy", "--src-tls-verify=false",
                    "docker://" + image, "oci:" + directory.resolve("copy") + ":v1");

            var manifestGet = new RegistryClient(server.baseUri()).get("v2/library/sample/manifests/v1",
                    "Accept", "application/vnd.oci.image.manifest.v1+json");
            assertThat(manifestGet.headers().firstValue("Docker-Content-Digest")).hasValue(manifestDigest);
        }

        JsonNode copied = JSON.readTree(directory.resolve("copy/index.json").toFile());
        assertThat(copied.at("/manifests/0/digest").asText()).isEqualTo(manifestDigest);
        for (Path blob : Files.list(source.resolve("blobs/sha256")).toList()) {
            assertThat(directory.resolve("copy/blobs/sha256").resolve(blob.getFileName())).hasSameBinaryContentAs(blob);
        }
    }

    private static void run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("finished: " + String.join(" ", command)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command) + "\n" + output).isZero();
    }

    /** Writes an OCI image layout with gzip'd tar layers of the given sizes; returns the manifest digest. */
    private static String writeImage(Path layout, List<Integer> layerSizes) throws IOException {
        Files.createDirectories(layout.resolve("blobs/sha256"));
        Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        List<ObjectNode> layers = new ArrayList<>();
        List<String> diffIds = new ArrayList<>();
        for (int i = 0; i < layerSizes.size(); i++) {
            byte[] tar = tar("file-" + i, random(layerSizes.get(i), i));
            byte[] gzip = gzip(tar);
            diffIds.add(RegistryClient.sha256(tar));
            layers.add(descriptor("application/vnd.oci.image.layer.v1.tar+gzip", writeBlob(layout, gzip), gzip.length));
        }
        ObjectNode imageConfig = JSON.createObjectNode();
        imageConfig.put("architecture", "amd64").put("os", "linux");
        ObjectNode rootfs = imageConfig.putObject("rootfs").put("type", "layers");
        diffIds.forEach(rootfs.putArray("diff_ids")::add);
        byte[] configBytes = JSON.writeValueAsBytes(imageConfig);

        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("schemaVersion", 2).put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        manifest.set("config", descriptor("application/vnd.oci.image.config.v1+json", writeBlob(layout, configBytes), configBytes.length));
        layers.forEach(manifest.putArray("layers")::add);
        byte[] manifestBytes = JSON.writeValueAsBytes(manifest);
        String manifestDigest = writeBlob(layout, manifestBytes);

        ObjectNode index = JSON.createObjectNode().put("schemaVersion", 2);
        ObjectNode entry = descriptor("application/vnd.oci.image.manifest.v1+json", manifestDigest, manifestBytes.length);
        entry.putObject("annotations").put("org.opencontainers.image.ref.name", "v1");
        index.putArray("manifests").add(entry);
        Files.write(layout.resolve("index.json"), JSON.writeValueAsBytes(index));
        return manifestDigest;
    }

    private static ObjectNode descriptor(String mediaType, String digest, long size) {
        return JSON.createObjectNode().put("mediaType", mediaType).put("digest", digest).put("size", size);
    }

    private static String writeBlob(Path layout, byte[] content) throws IOException {
        String digest = RegistryClient.sha256(content);
        Files.write(layout.resolve("blobs/sha256").resolve(digest.substring("sha256:".length())), content);
        return digest;
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static byte[] gzip(byte[] content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(content);
        }
        return out.toByteArray();
    }

    /** Returns a POSIX ustar archive with one regular file. */
    private static byte[] tar(String name, byte[] content) {
        byte[] header = new byte[512];
        put(header, 0, name);
        put(header, 100, "0000644");
        put(header, 108, "0000000");
        put(header, 116, "0000000");
        put(header, 124, String.format("%011o", content.length));
        put(header, 136, String.format("%011o", 1_700_000_000L));
        header[156] = '0';
        put(header, 257, "ustar");
        put(header, 263, "00");
        // The checksum is computed with its own field read as spaces.
        java.util.Arrays.fill(header, 148, 156, (byte) ' ');
        int sum = 0;
        for (byte b : header) {
            sum += b & 0xff;
        }
        put(header, 148, String.format("%06o", sum));
        header[154] = 0;
        int padded = (content.length + 511) / 512 * 512;
        byte[] tar = new byte[512 + padded + 1024];
        System.arraycopy(header, 0, tar, 0, 512);
        System.arraycopy(content, 0, tar, 512, content.length);
        return tar;
    }

    private static void put(byte[] header, int offset, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, header, offset, bytes.length);
    }
}
