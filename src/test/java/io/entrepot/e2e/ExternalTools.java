package io.entrepot.e2e;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the external programs that end-to-end tests drive (skopeo, umoci, docker-registry,
 * prometheus, promtool).
 *
 * <p>A missing program skips the calling test, so a developer without these tools can still run
 * {@code mvn verify}. When the system property {@code entrepot.requireExternal} is {@code true},
 * as in CI, a missing program fails the test instead, so CI cannot pass by skipping.
 */
public final class ExternalTools {

    /** System property that turns a missing program from a skip into a failure. */
    public static final String REQUIRE_PROPERTY = "entrepot.requireExternal";

    /** Debian package that provides each program. */
    private static final Map<String, String> DEBIAN_PACKAGES = Map.ofEntries(
            Map.entry("skopeo", "skopeo"),
            Map.entry("umoci", "umoci"),
            Map.entry("docker-registry", "docker-registry"),
            Map.entry("hey", "hey"),
            Map.entry("redis-server", "redis-server"),
            Map.entry("redis-cli", "redis-tools"),
            Map.entry("nginx", "nginx"),
            Map.entry("haproxy", "haproxy"),
            Map.entry("openssl", "openssl"),
            Map.entry("systemd-analyze", "systemd"),
            Map.entry("prometheus", "prometheus"),
            Map.entry("promtool", "prometheus"),
            Map.entry("htpasswd", "apache2-utils"));

    private ExternalTools() {}

    /**
     * Returns the absolute path of {@code program} found on the PATH.
     *
     * <p>Aborts the calling test through a JUnit assumption when the program is missing, or fails
     * it when {@value #REQUIRE_PROPERTY} is {@code true}. Either message names the program and
     * the Debian package that installs it.
     */
    public static Path require(String program) {
        Optional<Path> found = findOnPath(program);
        if (found.isPresent()) {
            return found.get();
        }

        String message = program + " is not on the PATH. Install the Debian package "
                + DEBIAN_PACKAGES.getOrDefault(program, program)
                + " (apt-get install " + DEBIAN_PACKAGES.getOrDefault(program, program) + ")";
        if (Boolean.getBoolean(REQUIRE_PROPERTY)) {
            fail(message + ". The test cannot be skipped because " + REQUIRE_PROPERTY + "=true.");
        }
        assumeTrue(false, message + ". Skipping this test.");
        throw new AssertionError("unreachable: assumeTrue(false) always aborts");
    }

    /** Returns the first executable file named {@code program} in the PATH directories. */
    static Optional<Path> findOnPath(String program) {
        String path = System.getenv("PATH");
        if (path == null || path.isEmpty()) {
            return Optional.empty();
        }
        for (String directory : path.split(File.pathSeparator)) {
            if (directory.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(directory, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate.toAbsolutePath());
            }
        }
        return Optional.empty();
    }
}
