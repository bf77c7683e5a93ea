package io.entrepot.e2e;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Builds real container images with umoci, without a container engine, into OCI image layouts.
 *
 * <p>Layers are made from files of this machine ({@code /etc}, {@code /usr/share/doc},
 * {@code /usr/share/common-licenses}) plus one layer of pseudo-random bytes that cannot be
 * compressed, so a push moves several megabytes through the registry. Every method needs umoci on
 * the PATH and skips or fails the calling test through {@link ExternalTools} when it is missing.
 */
public final class TestImages {

    /** Size of the incompressible layer, large enough for a client to send it in several chunks. */
    public static final int RANDOM_LAYER_BYTES = 4 * 1024 * 1024;

    /** Architectures of the images that {@link #buildMultiArchIndex} combines. */
    public static final List<String> INDEX_ARCHITECTURES = List.of("amd64", "arm64");

    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";

    /** Non-secret files found in /etc on Debian systems. The /etc layer takes those that exist. */
    private static final List<String> ETC_FILES =
            List.of("os-release", "debian_version", "protocols", "services", "ethertypes", "issue");

    private static final int MAX_DOC_FILES = 40;
    private static final long MAX_DOC_FILE_BYTES = 256 * 1024;
    private static final Duration UMOCI_TIMEOUT = Duration.ofMinutes(2);

    private TestImages() {}

    /** Creates an empty OCI image layout at {@code directory}, which must not exist yet. */
    public static OciLayout createLayout(Path directory) {
        umoci("init", "--layout", directory.toString());
        return new OciLayout(directory);
    }

    /**
     * Builds an amd64 image with four layers into {@code layout} under {@code tag}: files from
     * {@code /etc}, from {@code /usr/share/doc}, from {@code /usr/share/common-licenses}, and
     * {@value #RANDOM_LAYER_BYTES} random bytes seeded by the tag.
     *
     * @param workDir scratch directory for the files that become layers
     * @return the manifest digest, {@code sha256:<hex>}
     */
    public static String buildMultiLayerImage(OciLayout layout, String tag, Path workDir) {
        String image = layout.root() + ":" + tag;
        umoci("new", "--image", image);

        insert(image, copyEtcFiles(workDir.resolve(tag + "-etc")), "/etc");
        insert(image, copyFirstFiles(Path.of("/usr/share/doc"), workDir.resolve(tag + "-doc")), "/usr/share/doc");
        insert(image, copyFirstFiles(Path.of("/usr/share/common-licenses"), workDir.resolve(tag + "-licenses")),
                "/usr/share/common-licenses");
        insert(image, writeRandomFile(workDir.resolve(tag + "-random.bin"), RANDOM_LAYER_BYTES, tag.hashCode()),
                "/opt/random.bin");

        umoci("config", "--image", image, "--os", "linux", "--architecture", "amd64");
        return layout.digest(tag);
    }

    /**
     * Builds one small image per architecture in {@link #INDEX_ARCHITECTURES}, tagged
     * {@code <tag>-<architecture>}, and an OCI image index over them tagged {@code tag}.
     *
     * <p>umoci cannot write image indexes, so the index blob and its {@code index.json} entry are
     * written here. Each image has a layer whose content names its architecture, so the images,
     * and their manifests, differ in more than their config.
     *
     * @return the index digest, {@code sha256:<hex>}
     */
    public static String buildMultiArchIndex(OciLayout layout, String tag, Path workDir) {
        ArrayNode manifests = OciLayout.JSON.createArrayNode();
        for (String architecture : INDEX_ARCHITECTURES) {
            String archTag = tag + "-" + architecture;
            String image = layout.root() + ":" + archTag;
            umoci("new", "--image", image);
            insert(image, copyEtcFiles(workDir.resolve(archTag + "-etc")), "/etc");
            insert(image, writeText(workDir.resolve(archTag + ".txt"), "built for " + architecture + "\n"),
                    "/etc/architecture.txt");
            umoci("config", "--image", image, "--os", "linux", "--architecture", architecture);

            ObjectNode descriptor = manifests.addObject();
            descriptor.put("mediaType", OCI_MANIFEST);
            descriptor.put("digest", layout.digest(archTag));
            descriptor.put("size", layout.descriptor(archTag).path("size").asLong());
            descriptor.putObject("platform").put("architecture", architecture).put("os", "linux");
        }

        ObjectNode index = OciLayout.JSON.createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", OCI_INDEX);
        index.set("manifests", manifests);
        byte[] indexBytes = toJsonBytes(index);
        String indexDigest = OciLayout.sha256(indexBytes);
        writeBytes(layout.blobPath(indexDigest), indexBytes);

        ObjectNode layoutIndex = layout.index();
        ObjectNode entry = ((ArrayNode) layoutIndex.path("manifests")).addObject();
        entry.put("mediaType", OCI_INDEX);
        entry.put("digest", indexDigest);
        entry.put("size", indexBytes.length);
        entry.putObject("annotations").put(OciLayout.REF_NAME, tag);
        layout.writeIndex(layoutIndex);
        return indexDigest;
    }

    /** Adds {@code source} to {@code image} as a new layer at {@code target}. */
    private static void insert(String image, Path source, String target) {
        List<String> command = new ArrayList<>(List.of("insert"));
        if (!"root".equals(System.getProperty("user.name"))) {
            // Without --rootless umoci tries to keep file owners, which needs root.
            command.add("--rootless");
        }
        command.addAll(List.of("--image", image, source.toString(), target));
        umoci(command.toArray(String[]::new));
    }

    private static void umoci(String... arguments) {
        List<String> command = new ArrayList<>();
        command.add(ExternalTools.require("umoci").toString());
        command.addAll(List.of(arguments));
        Commands.run(UMOCI_TIMEOUT, command);
    }

    /** Copies those of {@link #ETC_FILES} that exist, following symbolic links, into a new directory. */
    private static Path copyEtcFiles(Path directory) {
        try {
            Files.createDirectories(directory);
            int copied = 0;
            for (String name : ETC_FILES) {
                Path source = Path.of("/etc", name);
                if (Files.isRegularFile(source) && Files.isReadable(source)) {
                    Files.copy(source, directory.resolve(name));
                    copied++;
                }
            }
            if (copied == 0) {
                throw new IllegalStateException("none of " + ETC_FILES + " exists in /etc to build a layer from");
            }
            return directory;
        } catch (IOException e) {
            throw new UncheckedIOException("failed to copy /etc files into " + directory, e);
        }
    }

    /**
     * Copies up to {@value #MAX_DOC_FILES} readable regular files of at most
     * {@value #MAX_DOC_FILE_BYTES} bytes from {@code source}, in path order and keeping their
     * relative paths, into a new directory.
     */
    private static Path copyFirstFiles(Path source, Path directory) {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(source)) {
            files = walk.filter(Files::isRegularFile)
                    .filter(Files::isReadable)
                    .filter(file -> sizeOf(file) <= MAX_DOC_FILE_BYTES)
                    .sorted()
                    .limit(MAX_DOC_FILES)
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("failed to list files under " + source, e);
        }
        if (files.isEmpty()) {
            throw new IllegalStateException("no readable file under " + source + " to build a layer from");
        }

        try {
            for (Path file : files) {
                Path target = directory.resolve(source.relativize(file).toString());
                Files.createDirectories(target.getParent());
                Files.copy(file, target);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("failed to copy files from " + source + " into " + directory, e);
        }
        return directory;
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return Long.MAX_VALUE;
        }
    }

    /** Writes {@code size} pseudo-random bytes from {@code seed}, so the same seed gives the same layer. */
    static Path writeRandomFile(Path file, int size, long seed) {
        Random random = new Random(seed);
        byte[] buffer = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int written = 0; written < size; written += buffer.length) {
                random.nextBytes(buffer);
                out.write(buffer, 0, Math.min(buffer.length, size - written));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("failed to write random bytes to " + file, e);
        }
        return file;
    }

    private static Path writeText(Path file, String text) {
        writeBytes(file, text.getBytes(StandardCharsets.UTF_8));
        return file;
    }

    private static void writeBytes(Path file, byte[] bytes) {
        try {
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("failed to write " + file, e);
        }
    }

    private static byte[] toJsonBytes(ObjectNode node) {
        try {
            return OciLayout.JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException("failed to serialize " + node, e);
        }
    }
}
