package io.entrepot.e2e;

import io.entrepot.config.ConfigLoader;
import io.entrepot.config.HttpConfig;
import io.entrepot.config.RegistryConfig;
import io.entrepot.http.RegistryServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Starts the registries that end-to-end tests talk to, all on 127.0.0.1 and filesystem storage. */
final class Registries {

    private Registries() {}

    /**
     * Writes a distribution {@code config.yml}, which both Entrepot and docker-registry read,
     * serving {@code root} on {@code 127.0.0.1:port} with deletes enabled.
     */
    static Path writeConfig(Path file, Path root, int port) {
        String yaml = """
                version: 0.1
                log:
                  level: info
                storage:
                  filesystem:
                    rootdirectory: %s
                  delete:
                    enabled: true
                http:
                  addr: 127.0.0.1:%d
                """.formatted(root, port);
        try {
            Files.writeString(file, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException("failed to write registry config " + file, e);
        }
        return file;
    }

    /**
     * Starts Entrepot in this JVM on a free port, storing under {@code root}, with the default
     * configuration otherwise.
     */
    static RegistryServer startInProcess(Path root) throws Exception {
        RegistryConfig defaults = ConfigLoader.defaults(root).config();
        HttpConfig http = defaults.http();
        HttpConfig loopback = new HttpConfig("127.0.0.1:0", http.net(), http.prefix(), http.host(),
                http.relativeUrls(), http.headers(), http.drainTimeout(), http.debugAddr(), http.maxManifestSize());
        return RegistryServer.start(new RegistryConfig(defaults.version(), defaults.log(), defaults.storage(), loopback));
    }

    /**
     * Starts {@code entrepot serve <workDir>/<name>.yml} as a separate JVM, with the java binary
     * and class path of this test JVM, so no packaged jar is needed.
     */
    static ServerProcess startEntrepotProcess(String name, Path root, Path workDir) {
        int port = ServerProcess.freeLoopbackPort();
        Path config = writeConfig(workDir.resolve(name + ".yml"), root, port);
        String java = ProcessHandle.current().info().command()
                .orElseThrow(() -> new IllegalStateException("cannot find the java binary of this JVM"));
        List<String> command = List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                "io.entrepot.cli.Main", "serve", config.toString());
        return ServerProcess.start(name, command, port, workDir.resolve(name + ".log"));
    }

    /** Starts Debian's docker-registry (CNCF distribution 2.8) serving {@code root}. */
    static ServerProcess startDockerRegistry(Path root, Path workDir) {
        Path program = ExternalTools.require("docker-registry");
        int port = ServerProcess.freeLoopbackPort();
        Path config = writeConfig(workDir.resolve("docker-registry.yml"), root, port);
        List<String> command = List.of(program.toString(), "serve", config.toString());
        return ServerProcess.start("docker-registry", command, port, workDir.resolve("docker-registry.log"));
    }
}
