package io.entrepot.http;

import io.entrepot.config.HealthConfig;
import io.entrepot.storage.PathNotFoundException;
import io.entrepot.storage.StorageDriver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The readiness of one instance: the periodic checks of the {@code health} section, plus the
 * draining flag that SIGTERM sets so a load balancer stops sending requests before the listener
 * closes. Liveness is not derived from checks: a live process responds to {@code /livez} whatever
 * its checks report.
 */
final class HealthChecks {

    private static final Logger log = LoggerFactory.getLogger(HealthChecks.class);

    /** One periodic check and its last results. */
    private static final class Check {

        private final String name;
        private final Duration interval;
        private final int threshold;
        private final CheckedAction action;
        private int consecutiveFailures;
        private volatile String failure;

        Check(String name, Duration interval, int threshold, CheckedAction action) {
            this.name = name;
            this.interval = interval;
            this.threshold = threshold;
            this.action = action;
        }

        /** Runs on the scheduler thread only, so the failure count needs no lock. */
        void run() {
            try {
                action.run();
                if (failure != null) {
                    log.atInfo().addKeyValue("check", name).log("health check passes again");
                }
                consecutiveFailures = 0;
                failure = null;
            } catch (Exception e) {
                consecutiveFailures++;
                if (consecutiveFailures >= threshold && failure == null) {
                    log.atWarn().addKeyValue("check", name).addKeyValue("failures", consecutiveFailures)
                            .addKeyValue("error", String.valueOf(e.getMessage())).log("health check fails, so the instance is not ready");
                }
                if (consecutiveFailures >= threshold) {
                    failure = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                }
            }
        }
    }

    @FunctionalInterface
    private interface CheckedAction {
        void run() throws Exception;
    }

    private final List<Check> checks = new ArrayList<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final HttpClient httpClient = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private final ScheduledExecutorService scheduler;

    HealthChecks(HealthConfig config, StorageDriver driver) {
        HealthConfig.StorageDriverCheck storage = config.storageDriver();
        if (storage.enabled()) {
            checks.add(new Check("storagedriver_" + driver.name(), storage.interval(), storage.threshold(), () -> checkStorage(driver)));
        }
        for (HealthConfig.FileCheck file : config.files()) {
            checks.add(new Check(file.file(), file.interval(), 1, () -> checkFileAbsent(Path.of(file.file()))));
        }
        for (HealthConfig.HttpCheck http : config.http()) {
            checks.add(new Check(http.uri(), http.interval(), http.threshold(), () -> checkHttp(http)));
        }
        for (HealthConfig.TcpCheck tcp : config.tcp()) {
            checks.add(new Check(tcp.addr(), tcp.interval(), tcp.threshold(), () -> checkTcp(tcp)));
        }
        scheduler = Executors.newScheduledThreadPool(Math.max(1, checks.size()),
                Thread.ofPlatform().name("entrepot-health-", 0).daemon().factory());
    }

    /**
     * Runs every check now, then at its interval, on threads of its own, so a slow upload purge or
     * an http check waiting for its timeout never delays the other checks. The executor never
     * runs one check twice at the same time.
     */
    void start() {
        for (Check check : checks) {
            scheduler.scheduleWithFixedDelay(check::run, 0, check.interval.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Stops the checks; readiness keeps the last results. */
    void stop() {
        scheduler.shutdownNow();
    }

    /** Marks the instance as leaving: readiness fails from now on, while requests are still served. */
    void startDraining() {
        draining.set(true);
    }

    boolean draining() {
        return draining.get();
    }

    /** Returns the failing checks by name, with their last error; empty when every check passes. */
    Map<String, String> failures() {
        Map<String, String> failures = new TreeMap<>();
        for (Check check : checks) {
            String failure = check.failure;
            if (failure != null) {
                failures.put(check.name, failure);
            }
        }
        return failures;
    }

    /** Returns every check by name with "ok" or its last error, as {@code /debug/health} reports them. */
    Map<String, String> statuses() {
        Map<String, String> statuses = new TreeMap<>();
        for (Check check : checks) {
            String failure = check.failure;
            statuses.put(check.name, failure == null ? "ok" : failure);
        }
        return statuses;
    }

    boolean ready() {
        return !draining.get() && failures().isEmpty();
    }

    private static void checkStorage(StorageDriver driver) throws IOException {
        try {
            driver.list("/");
        } catch (PathNotFoundException e) {
            // An empty storage root is healthy: nothing was pushed yet.
        }
    }

    /** Distribution's file check fails while the file exists, so creating it takes an instance out of rotation. */
    private static void checkFileAbsent(Path file) throws IOException {
        if (Files.exists(file)) {
            throw new IOException("file exists: " + file);
        }
    }

    private void checkHttp(HealthConfig.HttpCheck check) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(check.uri())).timeout(check.timeout()).GET();
        check.headers().forEach((name, values) -> values.forEach(value -> request.header(name, value)));
        int status = httpClient.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        if (status != check.statusCode()) {
            throw new IOException("status " + status + ", expected " + check.statusCode());
        }
    }

    private static void checkTcp(HealthConfig.TcpCheck check) throws IOException {
        String addr = check.addr();
        int colon = addr.lastIndexOf(':');
        if (colon < 0) {
            throw new IOException("invalid address, expected host:port: " + addr);
        }
        String host = addr.substring(0, colon).replace("[", "").replace("]", "");
        int port = Integer.parseInt(addr.substring(colon + 1));
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host.isEmpty() ? "127.0.0.1" : host, port), (int) check.timeout().toMillis());
        }
    }
}
