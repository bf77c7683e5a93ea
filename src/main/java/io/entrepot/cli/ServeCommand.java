package io.entrepot.cli;

import io.entrepot.config.ConfigException;
import io.entrepot.config.ConfigLoader;
import io.entrepot.config.ConfigProblem;
import io.entrepot.config.LoadedConfig;
import io.entrepot.http.RegistryServer;
import io.entrepot.http.StartupFiles;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import sun.misc.Signal;

/** {@code entrepot serve [CONFIG]}: runs the registry until SIGTERM or SIGINT. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "Serve the registry API.",
            "Without CONFIG: filesystem storage under ./data, listening on 127.0.0.1:5000.",
            "Environment variables REGISTRY_<SECTION>_<KEY> override the configuration, as in registry:2."
        })
final class ServeCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "CONFIG", description = "configuration file in registry:2's config.yml format")
    Path configFile;

    @Override
    public Integer call() throws Exception {
        LoadedConfig loaded;
        try {
            loaded = configFile == null
                    ? ConfigLoader.defaults(Path.of("data"), System.getenv())
                    : ConfigLoader.load(configFile, System.getenv());
        } catch (ConfigException e) {
            System.err.println("entrepot: " + e.getMessage());
            return 2;
        }
        // The files start-up reads are an invalid configuration as much as a bad key, so they exit 2 before anything opens.
        List<ConfigProblem> fileProblems = StartupFiles.check(loaded.config());
        if (!fileProblems.isEmpty()) {
            String source = configFile == null ? "the defaults" : configFile.toString();
            System.err.println("entrepot: " + new ConfigException(source, fileProblems, loaded.warnings()).getMessage());
            return 2;
        }
        LoggingSetup.configure(loaded.config().log());
        Logger log = LoggerFactory.getLogger(ServeCommand.class);
        for (String warning : loaded.warnings()) {
            log.warn(warning);
        }

        RegistryServer server;
        try {
            server = RegistryServer.start(loaded.config());
        } catch (Exception e) {
            // The message names what failed; a stack trace helps only for unexpected errors.
            if (e instanceof java.io.IOException) {
                log.error("start-up failed: {}", e.getMessage());
            } else {
                log.error("start-up failed: {}", e.getMessage(), e);
            }
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicInteger exitStatus = new AtomicInteger();
        Signal.handle(new Signal("TERM"), signal -> stop(server, log, signal.getName(), stopped, exitStatus));
        Signal.handle(new Signal("INT"), signal -> stop(server, log, signal.getName(), stopped, exitStatus));
        // As in distribution's operator practice: SIGUSR1 makes the registry read-only, SIGUSR2 writable again.
        Signal.handle(new Signal("USR1"), signal -> switchReadOnly(server, log, true));
        Signal.handle(new Signal("USR2"), signal -> switchReadOnly(server, log, false));
        Signal.handle(new Signal("HUP"), signal -> reloadTls(server, log));
        server.join();
        stopped.await();
        return exitStatus.get();
    }

    private static void switchReadOnly(RegistryServer server, Logger log, boolean readOnly) {
        server.setReadOnly(readOnly);
        log.atInfo().addKeyValue("readonly", readOnly).addKeyValue("source", "signal")
                .log(readOnly ? "read-only mode enabled by SIGUSR1" : "read-only mode disabled by SIGUSR2");
    }

    /** Reloads the TLS certificate on SIGHUP. A failure keeps the running certificate and the process. */
    private static void reloadTls(RegistryServer server, Logger log) {
        Thread.ofPlatform().name("entrepot-reload").start(() -> {
            try {
                if (!server.reloadTls()) {
                    log.info("received SIGHUP, but http.tls is not configured, so there is nothing to reload");
                }
            } catch (Exception e) {
                log.error("TLS reload failed, so the previous certificate stays in use: {}", e.getMessage(), e);
            }
        });
    }

    private static void stop(RegistryServer server, Logger log, String signal, CountDownLatch stopped, AtomicInteger exitStatus) {
        Thread.ofPlatform().name("entrepot-shutdown").start(() -> {
            log.info("received SIG{}, stopping", signal);
            try {
                server.shutDown();
                log.info("stopped");
            } catch (Exception e) {
                log.error("shutdown failed", e);
                exitStatus.set(1);
            } finally {
                stopped.countDown();
            }
        });
    }
}
