package io.entrepot.http;

import io.entrepot.auth.Access;
import io.entrepot.auth.AuthenticationException;
import io.entrepot.auth.Authenticator;
import io.entrepot.config.MetricsConfig;
import io.entrepot.events.AuditLog;
import io.entrepot.metrics.ContentMetrics;
import io.entrepot.metrics.Metrics;
import io.entrepot.registry.Digest;
import io.entrepot.registry.ErrorCode;
import io.entrepot.registry.MediaTypes;
import io.entrepot.registry.Reference;
import io.entrepot.registry.Registry;
import io.entrepot.registry.RegistryException;
import io.entrepot.registry.RepositoryName;
import io.entrepot.registry.UploadId;
import io.entrepot.tracing.Tracing;
import io.opentelemetry.context.Scope;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Routes {@code /v2/} requests to the handler of their API area and turns what they throw into
 * the specification's error responses. Runs each request on a virtual thread, so the handlers
 * are plain blocking code. A {@link RequestRecorder} writes each request's access line, metrics
 * and span.
 */
public final class ApiHandler extends Handler.Abstract {

    private static final Logger log = LoggerFactory.getLogger(ApiHandler.class);

    /**
     * The API routes; a repository name may contain slashes, so it is matched greedily. Each
     * route's {@code handler} label is distribution's route name, so that dashboards written for
     * distribution find the same series.
     */
    enum Route {
        BASE("v2/?", "base"),
        CATALOG("v2/_catalog", "catalog"),
        TAGS("v2/(.+)/tags/list", "tags"),
        MANIFEST("v2/(.+)/manifests/([^/]+)", "manifest"),
        UPLOADS("v2/(.+)/blobs/uploads/?", "blob-upload"),
        UPLOAD("v2/(.+)/blobs/uploads/([^/]+)", "blob-upload-chunk"),
        BLOB("v2/(.+)/blobs/([^/]+)", "blob"),
        REFERRERS("v2/(.+)/referrers/([^/]+)", "referrers");

        private final Pattern pattern;
        private final String handler;

        Route(String pattern, String handler) {
            this.pattern = Pattern.compile(pattern);
            this.handler = handler;
        }
    }

    /** The {@code handler} label of a path that matches no route. */
    private static final String NO_ROUTE = "notfound";

    /** The request's route, or null for a path that matches none. */
    private record Match(Route route, Matcher matcher) {
        String handler() {
            return route == null ? NO_ROUTE : route.handler;
        }
    }

    private final Urls urls;
    private final Map<String, List<String>> extraHeaders;
    private final AtomicBoolean readOnly;
    private final BlobHandler blobs;
    private final UploadHandler uploads;
    private final ManifestHandler manifests;
    private final ListingHandler listings;
    private final Metrics metrics;
    private final RequestRecorder recorder;
    private final Authenticator authenticator;
    private final RequestAudit audit;

    /**
     * Creates a handler whose metrics are not exported, whose tracing is off, without
     * authentication and without an audit log.
     *
     * @param readOnly shared switch: while true, every write is rejected with 405 UNSUPPORTED
     */
    public ApiHandler(Registry registry, ApiOptions options, AtomicBoolean readOnly) {
        this(registry, options, readOnly, new Metrics(MetricsConfig.DEFAULT), Tracing.disabled());
    }

    /**
     * @param readOnly shared switch: while true, every write is rejected with 405 UNSUPPORTED
     * @param metrics where requests, bytes and manifests are counted
     * @param tracing where request spans go
     */
    public ApiHandler(Registry registry, ApiOptions options, AtomicBoolean readOnly, Metrics metrics, Tracing tracing) {
        this(registry, options, readOnly, metrics, tracing, Authenticator.NONE, AuditLog.DISABLED);
    }

    /**
     * @param readOnly shared switch: while true, every write is rejected with 405 UNSUPPORTED
     * @param metrics where requests, bytes and manifests are counted
     * @param tracing where request spans go
     * @param authenticator checks every request's credentials before it is served
     * @param auditLog receives pushes, deletions and rejected credentials
     */
    public ApiHandler(Registry registry, ApiOptions options, AtomicBoolean readOnly, Metrics metrics, Tracing tracing,
            Authenticator authenticator, AuditLog auditLog) {
        this.authenticator = authenticator;
        this.audit = new RequestAudit(auditLog, Clock.systemUTC());
        this.metrics = metrics;
        this.recorder = new RequestRecorder(metrics.http(), tracing);
        this.urls = new Urls(options.prefix(), options.host(), options.relativeUrls(), options.trustedProxies());
        this.extraHeaders = options.headers();
        this.readOnly = readOnly;
        this.blobs = new BlobHandler(registry, options.deleteEnabled(), options.redirectEnabled());
        this.uploads = new UploadHandler(registry, options.maxBlobSize(), options.maxUploadsPerUser());
        this.manifests = new ManifestHandler(registry, options.deleteEnabled(), options.maxManifestSize());
        this.listings = new ListingHandler(registry);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = request.getHttpURI().getPath();
        if (path == null || !path.startsWith(urls.prefix())) {
            return false;
        }
        String requestId = UUID.randomUUID().toString();
        MDC.put("request.id", requestId);
        response.getHeaders().put("X-Request-Id", requestId);
        response.getHeaders().put("Docker-Distribution-API-Version", "registry/2.0");
        extraHeaders.forEach((name, values) -> values.forEach(value -> response.getHeaders().add(name, value)));

        Match match = match(path.substring(urls.prefix().length()));
        RequestRecorder.Recording recording = recorder.start(request, match.handler());
        Exchange exchange = new Exchange(request, response, match.matcher(), urls);
        Throwable failure = null;
        try (Scope ignored = recording.makeCurrent()) {
            dispatch(exchange, match.route());
        } catch (Throwable e) {
            failure = e;
        }

        int status = recording.finish(response, exchange.bodyBytesRead(), failure);
        recordContent(exchange, match, status);
        MDC.clear();
        if (failure == null) {
            callback.succeeded();
        } else {
            callback.failed(failure);
        }
        return true;
    }

    private static Match match(String apiPath) {
        for (Route route : Route.values()) {
            Matcher matcher = route.pattern.matcher(apiPath);
            if (matcher.matches()) {
                return new Match(route, matcher);
            }
        }
        return new Match(null, null);
    }

    /** Runs the request and writes its response. */
    private void dispatch(Exchange exchange, Route route) throws IOException {
        Request request = exchange.request();
        if (route == null) {
            ErrorResponses.send(exchange, new RegistryException(ErrorCode.NOT_FOUND, "no API endpoint at " + request.getHttpURI().getPath()));
            return;
        }
        putLogContext(exchange, route);
        String repository = route == Route.BASE || route == Route.CATALOG ? null : exchange.pathGroup(1);
        String authorization = exchange.header(HttpHeader.AUTHORIZATION);
        String clientAddress = ClientAddress.of(request);
        List<Access> required = RequestAccess.required(route, exchange.method(), repository, authenticator.policy().isPresent());
        Caller caller;
        try {
            caller = new Caller(authenticator.authorize(authorization, clientAddress, required), authenticator, authorization, clientAddress);
        } catch (AuthenticationException e) {
            reject(exchange, e, repository);
            return;
        }
        if (caller.name() != null) {
            MDC.put("user", caller.name());
        }
        exchange.setUser(caller.name() == null ? "" : caller.name());

        try {
            serve(route, exchange, caller);
        } catch (RegistryException e) {
            if (exchange.isCommitted()) {
                throw new IOException("failed after the response started: " + e.getMessage(), e);
            }
            ErrorResponses.send(exchange, e);
        } catch (EofException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            if (exchange.isCommitted()) {
                throw e;
            }
            log.error("request failed: {} {}", request.getMethod(), request.getHttpURI().getPath(), e);
            ErrorResponses.send(exchange, new RegistryException(ErrorCode.UNKNOWN,
                    "internal error; see the registry log for request " + MDC.get("request.id")));
        }
        audit.served(exchange, RequestAudit.action(route, exchange), caller.name(), repository, route == Route.MANIFEST ? exchange.pathGroup(2) : null);
    }

    /** Puts the repository and the digest of the request's path into the MDC, for every log line of the request. */
    private static void putLogContext(Exchange exchange, Route route) {
        if (route == Route.BASE || route == Route.CATALOG) {
            return;
        }
        MDC.put("repository", exchange.pathGroup(1));
        boolean digestInPath = route == Route.BLOB || route == Route.REFERRERS
                || (route == Route.MANIFEST && exchange.pathGroup(2).contains(":"));
        boolean upload = route == Route.UPLOADS || route == Route.UPLOAD;
        String digest = null;
        if (digestInPath) {
            digest = exchange.pathGroup(2);
        } else if (upload) {
            digest = exchange.query("digest");
        }
        if (digest != null) {
            MDC.put("digest", digest);
        }
    }

    /** Records the blob bytes and manifests that the finished request moved. */
    private void recordContent(Exchange exchange, Match match, int status) {
        Request request = exchange.request();
        long responseBytes = Response.getContentBytesWritten(exchange.response());
        ContentMetrics content = metrics.content();
        boolean get = request.getMethod().equals("GET");
        switch (match.handler()) {
            case "blob" -> {
                if (get) {
                    content.blobBytesPulled(responseBytes);
                }
            }
            case "blob-upload", "blob-upload-chunk" -> content.blobBytesPushed(exchange.bodyBytesRead());
            case "manifest" -> {
                if (get && status == 200) {
                    String mediaType = MediaTypes.base(Objects.requireNonNullElse(exchange.response().getHeaders().get(HttpHeader.CONTENT_TYPE), ""));
                    content.manifestPulled(exchange.pathGroup(1), mediaType);
                } else if (request.getAttribute(ManifestHandler.STORED_MEDIA_TYPE) instanceof String mediaType) {
                    content.manifestPushed(mediaType);
                }
            }
            default -> { }
        }
    }

    private void serve(Route route, Exchange exchange, Caller caller) throws IOException {
        String method = exchange.method();
        boolean write = !method.equals("GET") && !method.equals("HEAD");
        if (write && route != Route.BASE && route != Route.CATALOG && readOnly.get()) {
            throw RegistryException.unsupported("the registry is in read-only mode; " + method + " is not allowed");
        }
        switch (route) {
            case BASE -> {
                allow(exchange, "GET", "HEAD");
                exchange.send(200, "application/json", "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            case CATALOG -> {
                allow(exchange, "GET");
                listings.listRepositories(exchange, caller.catalogFilter());
            }
            case TAGS -> {
                allow(exchange, "GET");
                listings.listTags(exchange, name(exchange));
            }
            case REFERRERS -> {
                allow(exchange, "GET");
                RepositoryName repository = name(exchange);
                listings.listReferrers(exchange, repository, Digest.parse(exchange.pathGroup(2)));
            }
            case MANIFEST -> {
                RepositoryName repository = name(exchange);
                Reference reference = Reference.parse(exchange.pathGroup(2));
                switch (method) {
                    case "GET", "HEAD" -> manifests.getManifest(exchange, repository, reference);
                    case "PUT" -> manifests.putManifest(exchange, repository, reference);
                    case "DELETE" -> manifests.deleteManifest(exchange, repository, reference);
                    default -> throw methodNotAllowed(exchange, "GET, HEAD, PUT, DELETE");
                }
            }
            case BLOB -> {
                RepositoryName repository = name(exchange);
                Digest digest = Digest.parse(exchange.pathGroup(2));
                switch (method) {
                    case "GET", "HEAD" -> blobs.getBlob(exchange, repository, digest);
                    case "DELETE" -> blobs.deleteBlob(exchange, repository, digest);
                    default -> throw methodNotAllowed(exchange, "GET, HEAD, DELETE");
                }
            }
            case UPLOADS -> {
                allow(exchange, "POST");
                RepositoryName repository = name(exchange);
                uploads.startUpload(exchange, repository, mountSource(exchange, caller));
            }
            case UPLOAD -> {
                RepositoryName repository = name(exchange);
                UploadId id = new UploadId(exchange.pathGroup(2));
                switch (method) {
                    case "GET" -> uploads.uploadStatus(exchange, repository, id);
                    case "PATCH" -> uploads.patchUpload(exchange, repository, id);
                    case "PUT" -> uploads.completeUpload(exchange, repository, id);
                    case "DELETE" -> uploads.cancelUpload(exchange, repository, id);
                    default -> throw methodNotAllowed(exchange, "GET, PATCH, PUT, DELETE");
                }
            }
        }
    }

    /**
     * Returns the repository that {@code POST /v2/<name>/blobs/uploads/?mount=<digest>&from=<source>}
     * may mount from, or null when the request names none or the caller may not pull from it. A
     * refused mount is audited and the request goes on as a plain upload, as the specification
     * allows, so the response never shows whether the unreadable repository has the blob.
     */
    private RepositoryName mountSource(Exchange exchange, Caller caller) {
        String from = exchange.query("from");
        if (exchange.query("mount") == null || from == null) {
            return null;
        }
        RepositoryName source = RepositoryName.parse(from);
        if (caller.mayPull(source)) {
            return source;
        }
        audit.mountDenied(exchange, caller.name(), source.value());
        return null;
    }

    /**
     * Sends 401 with the challenge, 403 when the credentials are valid but the access policy
     * denies the request, or 429 after too many failed logins, with the access the request needed.
     */
    private void reject(Exchange exchange, AuthenticationException rejection, String repository) throws IOException {
        if (rejection.reason() == AuthenticationException.Reason.ACCESS_DENIED) {
            MDC.put("user", rejection.user());
        } else {
            exchange.setHeader(HttpHeader.WWW_AUTHENTICATE, TokenHandler.withRealm(rejection.challenge(), exchange.request(), urls));
        }
        List<Map<String, String>> detail = rejection.required().stream()
                .map(access -> Map.of("Type", access.type(), "Name", access.name(), "Action", access.action()))
                .toList();
        audit.rejected(exchange, rejection, repository);
        ErrorCode code = switch (rejection.reason()) {
            case TOO_MANY_FAILURES -> ErrorCode.TOOMANYREQUESTS;
            case ACCESS_DENIED -> ErrorCode.DENIED;
            case CREDENTIALS_MISSING, CREDENTIALS_INVALID, INSUFFICIENT_SCOPE -> ErrorCode.UNAUTHORIZED;
        };
        ErrorResponses.send(exchange, new RegistryException(code, rejection.getMessage(), detail.isEmpty() ? null : detail));
    }

    private static RepositoryName name(Exchange exchange) {
        return RepositoryName.parse(exchange.pathGroup(1));
    }

    private static void allow(Exchange exchange, String... methods) {
        for (String method : methods) {
            if (method.equals(exchange.method())) {
                return;
            }
        }
        throw methodNotAllowed(exchange, String.join(", ", methods));
    }

    private static RegistryException methodNotAllowed(Exchange exchange, String allowed) {
        exchange.setHeader(HttpHeader.ALLOW, allowed);
        return RegistryException.unsupported("method " + exchange.method() + " is not allowed here; allowed: " + allowed);
    }
}
