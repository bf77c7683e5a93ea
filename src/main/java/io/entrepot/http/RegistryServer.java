package io.entrepot.http;

import io.entrepot.cache.BlobDescriptorCaches;
import io.entrepot.cache.MeasuredCache;
import io.entrepot.config.HttpConfig;
import io.entrepot.config.RegistryConfig;
import io.entrepot.config.StorageConfig;
import io.entrepot.maintenance.UploadPurger;
import io.entrepot.registry.Registry;
import io.entrepot.storage.CheckedStorageDriver;
import io.entrepot.storage.StorageDriver;
import io.entrepot.storage.filesystem.FilesystemDriver;
import io.entrepot.storage.inmemory.InMemoryDriver;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.AbstractNetworkConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running registry: the storage driver, the blob descriptor cache, the API server on
 * {@code http.addr}, the optional debug server on {@code http.debug.addr}, the health checks and
 * the background upload purge.
 */
public final class RegistryServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RegistryServer.class);

    private final RegistryConfig config;
    private final Server server;
    private final Server debugServer;
    private final ScheduledExecutorService scheduler;
    private final AtomicBoolean readOnly;
    private final StorageDriver driver;
    private final MeasuredCache cache;
    private final HealthChecks health;

    private RegistryServer(RegistryConfig config, StorageDriver driver, MeasuredCache cache, HealthChecks health, Server server,
            Server debugServer, ScheduledExecutorService scheduler, AtomicBoolean readOnly) {
        this.config = config;
        this.driver = driver;
        this.cache = cache;
        this.health = health;
        this.server = server;
        this.debugServer = debugServer;
        this.scheduler = scheduler;
        this.readOnly = readOnly;
    }

    /** Builds the storage driver that {@code config} names, wrapped with path checks. */
    public static StorageDriver createDriver(StorageConfig.Driver config) throws IOException {
        StorageDriver driver = switch (config) {
            case StorageConfig.Filesystem fs -> new FilesystemDriver(fs.rootDirectory(), fs.maxThreads());
            case StorageConfig.InMemory ignored -> new InMemoryDriver();
        };
        return CheckedStorageDriver.wrap(driver);
    }

    /**
     * Starts serving {@code config}; returns once the listeners are bound.
     *
     * @throws Exception when storage cannot be opened or an address cannot be bound
     */
    public static RegistryServer start(RegistryConfig config) throws Exception {
        StorageDriver driver = createDriver(config.storage().driver());
        MeasuredCache cache = BlobDescriptorCaches.create(config.cache(), config.redis());
        Registry registry = new Registry(driver, Clock.systemUTC(), cache);
        AtomicBoolean readOnly = new AtomicBoolean(config.storage().readOnly());
        HealthChecks health = new HealthChecks(config.health(), driver);
        HttpConfig http = config.http();

        ApiOptions options = new ApiOptions(http.prefix(), http.host(), http.relativeUrls(), http.headers(),
                config.storage().deleteEnabled(), false, http.maxManifestSize(), TrustedProxies.parse(http.trustedProxies()));
        Server server = newServer("entrepot-api");
        server.addConnector(newConnector(server, http.net(), http.addr()));
        GracefulHandler graceful = new GracefulHandler(
                new HealthHandler(health, cache, readOnly, false, new ApiHandler(registry, options, readOnly)));
        server.setHandler(graceful);
        server.setStopTimeout(http.drainTimeout().toMillis());
        server.setStopAtShutdown(false);

        Server debugServer = null;
        if (http.debugAddr() != null && !http.debugAddr().isEmpty()) {
            debugServer = newServer("entrepot-debug");
            debugServer.addConnector(newConnector(debugServer, HttpConfig.Net.TCP, http.debugAddr()));
            debugServer.setHandler(new HealthHandler(health, cache, readOnly, true, null));
            debugServer.setStopAtShutdown(false);
        }

        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("entrepot-maintenance").daemon().factory());
        RegistryServer registryServer = new RegistryServer(config, driver, cache, health, server, debugServer, scheduler, readOnly);
        try {
            server.start();
            if (debugServer != null) {
                debugServer.start();
            }
        } catch (Exception e) {
            registryServer.close();
            throw e;
        }
        registryServer.schedulePurge(driver);
        health.schedule(scheduler);
        log.atInfo().addKeyValue("addr", http.addr()).addKeyValue("storage", driver.name()).addKeyValue("cache", cache.type())
                .log("listening on {} with {} storage", registryServer.baseUri(), driver.name());
        return registryServer;
    }

    private static Server newServer(String name) {
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName(name);
        // Each request runs on its own virtual thread, so handlers block on storage freely.
        threads.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        return new Server(threads);
    }

    private static Connector newConnector(Server server, HttpConfig.Net net, String addr) {
        HttpConfiguration httpConfiguration = new HttpConfiguration();
        httpConfiguration.setSendServerVersion(false);
        httpConfiguration.setSendDateHeader(true);
        // Accept every path form and let the router reject what is not a valid repository name
        // with NAME_INVALID in the specification's envelope, rather than Jetty's bare 400 page.
        httpConfiguration.setUriCompliance(UriCompliance.UNSAFE);
        HttpConnectionFactory factory = new HttpConnectionFactory(httpConfiguration);
        if (net == HttpConfig.Net.UNIX) {
            UnixDomainServerConnector connector = new UnixDomainServerConnector(server, factory);
            connector.setUnixDomainPath(Path.of(addr));
            return connector;
        }
        ServerConnector connector = new ServerConnector(server, factory);
        int colon = addr.lastIndexOf(':');
        String host = colon <= 0 ? null : addr.substring(0, colon).replace("[", "").replace("]", "");
        connector.setHost(host);
        connector.setPort(Integer.parseInt(addr.substring(colon + 1)));
        // Idle connections: long enough for a slow client between chunks, as nginx's 900 s defaults suggest.
        connector.setIdleTimeout(900_000);
        return connector;
    }

    private void schedulePurge(StorageDriver driver) {
        StorageConfig.UploadPurging purging = config.storage().uploadPurging();
        if (!purging.enabled() || readOnly.get()) {
            return;
        }
        UploadPurger purger = new UploadPurger(driver, Clock.systemUTC());
        long intervalSeconds = Math.max(1, purging.interval().toSeconds());
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                var result = purger.purge(purging.age(), purging.dryRun());
                log.atInfo().addKeyValue("examined", result.examined()).addKeyValue("removed", result.removed().size())
                        .addKeyValue("dry_run", result.dryRun()).log("upload purge finished");
            } catch (IOException | RuntimeException e) {
                log.error("upload purge failed", e);
            }
        }, Math.min(intervalSeconds, 60), intervalSeconds, TimeUnit.SECONDS);
    }

    /** Returns the bound TCP port of the API listener, or -1 for a unix socket. */
    public int port() {
        return server.getConnectors()[0] instanceof AbstractNetworkConnector network ? network.getLocalPort() : -1;
    }

    /** Returns the bound TCP port of the debug listener, or -1 when there is none. */
    public int debugPort() {
        return debugServer != null && debugServer.getConnectors()[0] instanceof AbstractNetworkConnector network ? network.getLocalPort() : -1;
    }

    /** Returns the base URL of the API, such as {@code http://127.0.0.1:5000/}. */
    public URI baseUri() {
        if (!(server.getConnectors()[0] instanceof AbstractNetworkConnector network)) {
            return URI.create("unix:" + config.http().addr());
        }
        String host = network.getHost() == null || network.getHost().isEmpty() ? "127.0.0.1" : network.getHost();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + network.getLocalPort() + config.http().prefix());
    }

    /** Returns the storage driver the registry serves from. */
    public StorageDriver storage() {
        return driver;
    }

    /** Returns the blob descriptor cache, whose lookup counts tests and metrics read. */
    public MeasuredCache cache() {
        return cache;
    }

    /** Returns whether {@code /readyz} reports the instance ready. */
    public boolean ready() {
        return health.ready();
    }

    /** Switches read-only mode on or off at run time. */
    public void setReadOnly(boolean value) {
        readOnly.set(value);
    }

    /** Blocks until the server has stopped. */
    public void join() throws InterruptedException {
        server.join();
    }

    /**
     * Stops the API server. Jetty 12.1's {@code Server.doStop} stops the connectors and handlers
     * before it rethrows a drain timeout, so the timeout is logged as the end of a drain that
     * cut requests off, not raised as a failed shutdown.
     */
    private void stopApi() throws Exception {
        GracefulHandler graceful = server.getDescendant(GracefulHandler.class);
        long inFlight = graceful == null ? 0 : graceful.getCurrentRequestCount();
        log.atInfo().addKeyValue("in_flight", inFlight).addKeyValue("drain_timeout", config.http().drainTimeout())
                .log("draining requests in flight");
        try {
            server.stop();
        } catch (TimeoutException e) {
            long stillInFlight = graceful == null ? 0 : graceful.getCurrentRequestCount();
            log.atWarn().addKeyValue("drain_timeout", config.http().drainTimeout()).addKeyValue("in_flight", stillInFlight)
                    .log("drain timed out, so requests still in flight were cut off");
        }
    }

    /**
     * Fails readiness and keeps serving for {@code http.shutdowndelay}, so a load balancer that
     * checks {@code /readyz} stops sending requests first. Then stops accepting connections, lets
     * requests in flight finish for up to {@code http.draintimeout}, and stops.
     */
    public void shutDown() throws Exception {
        health.startDraining();
        Duration delay = config.http().shutdownDelay();
        if (delay.isPositive()) {
            log.atInfo().addKeyValue("shutdown_delay", delay).log("readiness now fails, still serving until the delay ends");
            Thread.sleep(delay);
        }
        close();
    }

    /**
     * Stops accepting connections, lets requests in flight finish for up to
     * {@code http.draintimeout}, then stops, without the readiness delay of {@link #shutDown()}.
     */
    @Override
    public void close() throws Exception {
        health.startDraining();
        scheduler.shutdownNow();
        try {
            stopApi();
        } finally {
            try {
                if (debugServer != null) {
                    debugServer.stop();
                }
            } finally {
                cache.close();
            }
        }
    }
}
