package io.entrepot.http;

import io.entrepot.auth.Authenticator;
import io.entrepot.auth.HtpasswdAuthenticator;
import io.entrepot.auth.TokenAuthenticator;
import io.entrepot.config.AuditConfig;
import io.entrepot.config.AuthConfig;
import io.entrepot.config.HttpConfig;
import io.entrepot.config.RegistryConfig;
import io.entrepot.config.StorageConfig;
import io.entrepot.events.AuditLog;
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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.AbstractNetworkConnector;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running registry: the storage driver, the API server on {@code http.addr}, the optional
 * debug server on {@code http.debug.addr}, and the background upload purge.
 */
public final class RegistryServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RegistryServer.class);

    private final RegistryConfig config;
    private final Server server;
    private final Server debugServer;
    private final ScheduledExecutorService scheduler;
    private final AtomicBoolean readOnly;
    private final StorageDriver driver;
    private final SslContextFactory.Server tls;
    private final AuditLog auditLog;

    private RegistryServer(RegistryConfig config, StorageDriver driver, Server server, Server debugServer,
            ScheduledExecutorService scheduler, AtomicBoolean readOnly, SslContextFactory.Server tls, AuditLog auditLog) {
        this.tls = tls;
        this.auditLog = auditLog;
        this.config = config;
        this.driver = driver;
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
        Registry registry = new Registry(driver, Clock.systemUTC());
        AtomicBoolean readOnly = new AtomicBoolean(config.storage().readOnly());
        HttpConfig http = config.http();

        ApiOptions options = new ApiOptions(http.prefix(), http.host(), http.relativeUrls(), http.headers(),
                config.storage().deleteEnabled(), false, http.maxManifestSize());
        Server server = newServer("entrepot-api");
        SslContextFactory.Server tls = http.tls() == null ? null : TlsContexts.create(http.tls());
        server.addConnector(newConnector(server, http.net(), http.addr(), tls));
        Authenticator authenticator = createAuthenticator(config.auth());
        AuditLog auditLog = openAuditLog(config.audit());
        GracefulHandler graceful = new GracefulHandler(new ApiHandler(registry, options, readOnly, authenticator, auditLog));
        server.setHandler(graceful);
        server.setStopTimeout(http.drainTimeout().toMillis());
        server.setStopAtShutdown(false);

        Server debugServer = null;
        if (http.debugAddr() != null && !http.debugAddr().isEmpty()) {
            debugServer = newServer("entrepot-debug");
            debugServer.addConnector(newConnector(debugServer, HttpConfig.Net.TCP, http.debugAddr(), null));
            debugServer.setHandler(new DebugHandler(driver, readOnly));
            debugServer.setStopAtShutdown(false);
        }

        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("entrepot-maintenance").daemon().factory());
        RegistryServer registryServer = new RegistryServer(config, driver, server, debugServer, scheduler, readOnly, tls, auditLog);
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
        log.atInfo().addKeyValue("addr", http.addr()).addKeyValue("storage", driver.name())
                .log("listening on {} with {} storage", registryServer.baseUri(), driver.name());
        return registryServer;
    }

    /**
     * Builds the authenticator of {@code auth}.
     *
     * @throws IOException when the htpasswd file cannot be read or contains a hash that is not bcrypt,
     *     or when no token signing key can be read
     */
    private static Authenticator createAuthenticator(AuthConfig auth) throws IOException {
        return switch (auth) {
            case AuthConfig.None ignored -> Authenticator.NONE;
            case AuthConfig.Htpasswd htpasswd -> new HtpasswdAuthenticator(htpasswd.realm(), htpasswd.path());
            case AuthConfig.Token token -> new TokenAuthenticator(token.realm(), token.service(), token.issuer(),
                    token.rootCertBundle(), token.jwks(), Clock.systemUTC());
        };
    }

    private static AuditLog openAuditLog(AuditConfig audit) throws IOException {
        if (audit.toStdout()) {
            return AuditLog.toStream(System.out);
        }
        return audit.path() == null ? AuditLog.DISABLED : AuditLog.toFile(audit.path());
    }

    private static Server newServer(String name) {
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName(name);
        // Each request runs on its own virtual thread, so handlers block on storage freely.
        threads.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        return new Server(threads);
    }

    /**
     * Creates the listener for {@code addr}. With {@code tls}, it speaks only TLS and offers
     * HTTP/2 and HTTP/1.1 through ALPN; without, it speaks HTTP/1.1 in clear text.
     */
    private static Connector newConnector(Server server, HttpConfig.Net net, String addr, SslContextFactory.Server tls) {
        HttpConfiguration httpConfiguration = new HttpConfiguration();
        httpConfiguration.setSendServerVersion(false);
        httpConfiguration.setSendDateHeader(true);
        // Accept every path form and let the router reject what is not a valid repository name
        // with NAME_INVALID in the specification's envelope, rather than Jetty's bare 400 page.
        httpConfiguration.setUriCompliance(UriCompliance.UNSAFE);

        ConnectionFactory[] factories;
        if (tls == null) {
            factories = new ConnectionFactory[] {new HttpConnectionFactory(httpConfiguration)};
        } else {
            SecureRequestCustomizer secure = new SecureRequestCustomizer();
            secure.setSniHostCheck(false);
            httpConfiguration.addCustomizer(secure);
            HttpConnectionFactory http1 = new HttpConnectionFactory(httpConfiguration);
            HTTP2ServerConnectionFactory http2 = new HTTP2ServerConnectionFactory(httpConfiguration);
            ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory();
            alpn.setDefaultProtocol(http1.getProtocol());
            factories = new ConnectionFactory[] {new SslConnectionFactory(tls, alpn.getProtocol()), alpn, http2, http1};
        }

        if (net == HttpConfig.Net.UNIX) {
            UnixDomainServerConnector connector = new UnixDomainServerConnector(server, factories);
            connector.setUnixDomainPath(Path.of(addr));
            return connector;
        }
        ServerConnector connector = new ServerConnector(server, factories);
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

    /**
     * Reads the {@code http.tls} certificate, key and client CAs again, for {@code SIGHUP}. New
     * connections use them and open connections go on undisturbed.
     *
     * @return false when TLS is not configured, so there is nothing to reload
     * @throws Exception when a file cannot be read; the running certificate then stays in use
     */
    public boolean reloadTls() throws Exception {
        if (tls == null) {
            return false;
        }
        TlsContexts.reload(tls, config.http().tls());
        log.atInfo().addKeyValue("certificate", config.http().tls().certificate()).log("TLS certificate reloaded");
        return true;
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
        String scheme = tls == null ? "http" : "https";
        return URI.create(scheme + "://" + host + ":" + network.getLocalPort() + config.http().prefix());
    }

    /** Returns the storage driver the registry serves from. */
    public StorageDriver storage() {
        return driver;
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
     * Stops accepting connections, lets requests in flight finish for up to
     * {@code http.draintimeout}, then stops.
     */
    @Override
    public void close() throws Exception {
        scheduler.shutdownNow();
        try {
            stopApi();
        } finally {
            try {
                if (debugServer != null) {
                    debugServer.stop();
                }
            } finally {
                auditLog.close();
            }
        }
    }
}
