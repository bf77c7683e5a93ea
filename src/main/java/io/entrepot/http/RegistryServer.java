package io.entrepot.http;

import io.entrepot.cache.BlobDescriptorCaches;
import io.entrepot.cache.MeasuredCache;
import io.entrepot.auth.AccessPolicy;
import io.entrepot.auth.Authenticator;
import io.entrepot.auth.HtpasswdAuthenticator;
import io.entrepot.auth.LoginThrottle;
import io.entrepot.auth.ProjectAccessPolicy;
import io.entrepot.auth.TokenAuthenticator;
import io.entrepot.config.AccessConfig;
import io.entrepot.config.AuditConfig;
import io.entrepot.config.AuthConfig;
import io.entrepot.config.HttpConfig;
import io.entrepot.config.MetricsConfig;
import io.entrepot.config.RegistryConfig;
import io.entrepot.config.RequestLimits;
import io.entrepot.maintenance.Retention;
import io.entrepot.events.AuditLog;
import io.entrepot.metrics.Metrics;
import io.entrepot.registry.Registry;
import io.entrepot.storage.StorageDriver;
import io.entrepot.storage.StorageObserver;
import io.entrepot.tracing.Tracing;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.AbstractNetworkConnector;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
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
 * One running registry: the storage driver, the blob descriptor cache, the API server on
 * {@code http.addr}, the optional debug server on {@code http.debug.addr} with health and
 * metrics, the health checks, and the background upload purge and storage usage walk.
 */
public final class RegistryServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RegistryServer.class);

    private final RegistryConfig config;
    private final Server server;
    private final Server debugServer;
    private final ScheduledExecutorService scheduler;
    private final AtomicBoolean readOnly;
    private final StorageDriver driver;
    private final Metrics metrics;
    private final Tracing tracing;
    private final MeasuredCache cache;
    private volatile MaintenanceJobs maintenanceJobs;
    private final HealthChecks health;
    private final SslContextFactory.Server tls;
    private final AuditLog auditLog;

    private RegistryServer(RegistryConfig config, StorageDriver driver, MeasuredCache cache, HealthChecks health, Server server,
            Server debugServer, ScheduledExecutorService scheduler, AtomicBoolean readOnly, Metrics metrics, Tracing tracing,
            SslContextFactory.Server tls, AuditLog auditLog) {
        this.config = config;
        this.tls = tls;
        this.auditLog = auditLog;
        this.metrics = metrics;
        this.tracing = tracing;
        this.driver = driver;
        this.cache = cache;
        this.health = health;
        this.server = server;
        this.debugServer = debugServer;
        this.scheduler = scheduler;
        this.readOnly = readOnly;
    }

    /**
     * Starts serving {@code config}; returns once the listeners are bound.
     *
     * @throws Exception when storage cannot be opened or an address cannot be bound
     */
    public static RegistryServer start(RegistryConfig config) throws Exception {
        Metrics metrics = new Metrics(config.metrics());
        Tracing tracing = Tracing.start(config.tracing());
        StorageDriver driver = StorageDrivers.create(config.storage().driver(), config.storage().redirect(), storageObserver(metrics, tracing),
                s3 -> metrics.storage().registerS3PartBuffers(s3::partBufferBytes));
        MeasuredCache cache = BlobDescriptorCaches.fenceAgainstCollection(BlobDescriptorCaches.create(config.cache(), config.redis(),
                event -> metrics.storage().countCache(event.label())), driver);
        Registry registry = new Registry(driver, Clock.systemUTC(), cache);
        registry.manifests().setImmutableTags(Retention.immutableTags(config.retention()));
        AtomicBoolean readOnly = new AtomicBoolean(config.storage().readOnly());
        HealthChecks health = new HealthChecks(config.health(), driver);
        HttpConfig http = config.http();

        ApiOptions options = new ApiOptions(http.prefix(), http.host(), http.relativeUrls(), http.headers(),
                config.storage().deleteEnabled(), !config.storage().redirect().disabled(), http.maxManifestSize(),
                TrustedProxies.parse(http.trustedProxies()), http.limits().maxBlobSize(), http.limits().maxUploadsPerUser());
        Server server = newServer("entrepot-api");
        SslContextFactory.Server tls = http.tls() == null ? null : TlsContexts.create(http.tls());
        server.addConnector(newConnector(server, http.net(), http.addr(), tls, (int) http.limits().maxHeaderBytes()));
        AuditLog auditLog = openAuditLog(config.audit());
        AccessPolicy policy = accessPolicy(config.auth(), config.access());
        BuiltinTokenServer builtin = config.auth() instanceof AuthConfig.Builtin builtinConfig
                ? BuiltinTokenServer.create(builtinConfig, http, policy, Clock.systemUTC()) : null;
        // The built-in server's tokens carry the principal, so its policy also filters the catalog and decides mounts.
        Authenticator authenticator = builtin != null ? builtin.authenticator().withPolicy(policy) : createAuthenticator(config.auth(), policy);
        Handler api = new ApiHandler(registry, options, readOnly, metrics, tracing, authenticator, auditLog);
        if (builtin != null) {
            api = new Handler.Sequence(builtin.handler(options, auditLog, metrics, tracing), api);
        }
        GracefulHandler graceful = new GracefulHandler(ClientAddress.handler(options.trustedProxies(),
                new HealthHandler(health, cache, readOnly, false, api)));
        server.setHandler(graceful);
        server.setStopTimeout(http.drainTimeout().toMillis());
        server.setStopAtShutdown(false);

        Server debugServer = null;
        if (http.debugAddr() != null && !http.debugAddr().isEmpty()) {
            debugServer = newDebugServer(http.debugAddr(), config.metrics(), metrics, health, cache, readOnly);
        }

        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("entrepot-maintenance").daemon().factory());
        // Entrepot's own gauge: 1 while writes are rejected, whichever way read-only mode was switched.
        io.prometheus.metrics.core.metrics.GaugeWithCallback.builder().name("registry_readonly")
                .help("1 while the registry is in read-only mode and rejects writes, 0 otherwise.")
                .callback(callback -> callback.call(readOnly.get() ? 1 : 0))
                .register(metrics.registry());
        io.prometheus.metrics.core.metrics.GaugeWithCallback.builder().name("registry_storage_cache_fenced")
                .help("1 while the blob descriptor cache is bypassed because a garbage collection deletes blobs"
                        + " or the collection epoch was not read recently, 0 otherwise.")
                .callback(callback -> callback.call(cache.fenceState().bypassesCache() ? 1 : 0))
                .register(metrics.registry());
        RegistryServer registryServer = new RegistryServer(config, driver, cache, health, server, debugServer, scheduler, readOnly,
                metrics, tracing, tls, auditLog);
        // The debug listener starts first, so that a failure there never leaves the API port open for a moment.
        try {
            if (debugServer != null) {
                startListening(debugServer, "http.debug.addr", http.debugAddr());
            }
            startListening(server, "http.addr", http.addr());
        } catch (Exception e) {
            registryServer.close();
            throw e;
        }
        registryServer.maintenanceJobs = new MaintenanceJobs(config, scheduler, readOnly, metrics).scheduleAll(registry, driver);
        health.start();
        log.atInfo().addKeyValue("addr", http.addr()).addKeyValue("storage", driver.name()).addKeyValue("cache", cache.type())
                .log("listening on {} with {} storage", registryServer.baseUri(), driver.name());
        return registryServer;
    }

    /** Starts {@code server}, turning a failed bind into a message that names the configuration key. */
    private static void startListening(Server server, String key, String addr) throws Exception {
        try {
            server.start();
        } catch (IOException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IOException("cannot listen on " + key + " " + addr + ": " + cause.getMessage()
                    + "; stop the process using it or choose another address", e);
        }
    }

    /** Times storage calls into {@code registry_storage_action_seconds}, and records a span for each when tracing is on. */
    private static StorageObserver storageObserver(Metrics metrics, Tracing tracing) {
        StorageObserver timer = metrics.storage();
        if (!tracing.enabled()) {
            return timer;
        }
        StorageObserver spans = tracing.storageObserver();
        return (driverName, action, nanos, failed) -> {
            timer.observe(driverName, action, nanos, failed);
            spans.observe(driverName, action, nanos, failed);
        };
    }

    /** Builds the debug server: health, the read-only switch, and the metrics and the most pulled repositories when metrics are enabled. */
    private static Server newDebugServer(String addr, MetricsConfig metricsConfig, Metrics metrics, HealthChecks health,
            MeasuredCache cache, AtomicBoolean readOnly) {
        Server debugServer = newServer("entrepot-debug");
        debugServer.addConnector(newConnector(debugServer, HttpConfig.Net.TCP, addr, null, (int) RequestLimits.DEFAULT_MAX_HEADER_BYTES));
        Handler.Sequence handlers = new Handler.Sequence(new HealthHandler(health, cache, readOnly, true, null), new ReadOnlyHandler(readOnly));
        if (metricsConfig.prometheusEnabled()) {
            handlers.addHandler(new MetricsHandler(metrics.registry(), metricsConfig.prometheusPath()));
            handlers.addHandler(new TopPullsHandler(metrics.content().topPulls()));
        }
        debugServer.setHandler(handlers);
        debugServer.setStopAtShutdown(false);
        return debugServer;
    }

    /**
     * Returns the policy of {@code access}, or distribution's rule (every authenticated user may
     * do everything) when the section is absent.
     *
     * @throws IllegalArgumentException when {@code access} is configured with a scheme that cannot
     *     enforce it; {@code ConfigLoader} reports this for a configuration file
     */
    static AccessPolicy accessPolicy(AuthConfig auth, AccessConfig access) {
        if (!access.enabled()) {
            return AccessPolicy.AUTHENTICATED_ALL;
        }
        if (auth instanceof AuthConfig.None || auth instanceof AuthConfig.Token) {
            throw new IllegalArgumentException("the access section cannot be enforced with " + (auth instanceof AuthConfig.None
                    ? "no authentication" : "auth.token, whose external token server decides every scope"));
        }
        return new ProjectAccessPolicy(access);
    }

    /**
     * Builds the authenticator of {@code auth}; with htpasswd, it checks requests against {@code policy}.
     *
     * @throws IOException when the htpasswd file cannot be read or contains a hash that is not bcrypt,
     *     or when no token signing key can be read
     */
    static Authenticator createAuthenticator(AuthConfig auth, AccessPolicy policy) throws IOException {
        return switch (auth) {
            case AuthConfig.None ignored -> Authenticator.NONE;
            case AuthConfig.Htpasswd htpasswd -> new HtpasswdAuthenticator(htpasswd.realm(), htpasswd.path(),
                    new LoginThrottle(htpasswd.maxFailures(), htpasswd.failureWindow(), Clock.systemUTC()), policy);
            case AuthConfig.Token token -> new TokenAuthenticator(token.realm(), token.service(), token.issuer(),
                    token.rootCertBundle(), token.jwks(), Clock.systemUTC());
            case AuthConfig.Builtin builtin -> throw new IllegalArgumentException("auth.builtin is set up by BuiltinTokenServer");
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
     *
     * @param maxHeaderBytes largest request line plus headers; Jetty responds 431 above it, or 414
     *     when the request line alone is longer
     */
    private static Connector newConnector(Server server, HttpConfig.Net net, String addr, SslContextFactory.Server tls, int maxHeaderBytes) {
        HttpConfiguration httpConfiguration = new HttpConfiguration();
        httpConfiguration.setRequestHeaderSize(maxHeaderBytes);
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

    /** Returns the metrics of this server, which the debug listener exports. */
    public Metrics metrics() {
        return metrics;
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
        if (!server.isStarted()) {
            server.stop();
            return;
        }
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
     * Closes the storage driver last.
     */
    @Override
    public void close() throws Exception {
        health.startDraining();
        health.stop();
        scheduler.shutdownNow();
        if (maintenanceJobs != null) {
            maintenanceJobs.close();
        }
        try {
            stopApi();
        } finally {
            try {
                if (debugServer != null) {
                    debugServer.stop();
                }
            } finally {
                try {
                    tracing.close();
                } finally {
                    try {
                        auditLog.close();
                    } finally {
                        try {
                            cache.close();
                        } finally {
                            // Last, because requests in flight use storage until the API has stopped.
                            driver.close();
                        }
                    }
                }
            }
        }
    }
}
