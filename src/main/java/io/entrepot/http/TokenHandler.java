package io.entrepot.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrepot.auth.Access;
import io.entrepot.auth.Principal;
import io.entrepot.auth.Scopes;
import io.entrepot.auth.TokenRequestException;
import io.entrepot.auth.TokenServer;
import io.entrepot.events.AuditEvent;
import io.entrepot.events.AuditLog;
import io.opentelemetry.context.Scope;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.MimeTypes;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The token endpoint of the built-in token server, {@code <prefix>token} on the main listener,
 * in the two forms Docker's token specification defines:
 *
 * <pre>
 * GET  /token?service=S&amp;scope=repository:team/app:pull,push&amp;offline_token=true&amp;client_id=C   (Basic credentials or none)
 * POST /token   grant_type=password&amp;username=U&amp;password=P&amp;service=S&amp;client_id=C&amp;access_type=offline&amp;scope=…
 * POST /token   grant_type=refresh_token&amp;refresh_token=R&amp;service=S&amp;client_id=C&amp;scope=…
 * </pre>
 *
 * <p>A request without credentials gets a token with what the access policy grants an anonymous
 * client. Errors are JSON in the OAuth2 form ({@code error}, {@code error_description}), with the
 * message also under {@code details}, where Docker's client reads it. Logins are audited as
 * {@code login}, failed ones as {@code auth.failure} or {@code auth.throttled}; the audit log
 * never receives a password or token. Each request also gets an access line, metrics and a span
 * under the {@code handler} label {@value #HANDLER_LABEL}, whose query values are masked as
 * {@link RequestRecorder} describes.
 */
final class TokenHandler extends Handler.Abstract {

    private static final Logger log = LoggerFactory.getLogger(TokenHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Bound on a form body; a password grant with a hundred scopes stays far below it. */
    private static final int MAX_FORM_BYTES = 64 * 1024;

    private static final String BASIC_CHALLENGE = "Basic realm=\"Entrepot token server\"";

    /** The {@code handler} label of token requests in the access log, the metrics and the spans. */
    static final String HANDLER_LABEL = "token";

    private final TokenServer tokens;
    private final String path;
    private final AuditLog auditLog;
    private final RequestRecorder recorder;
    private final Clock clock;

    TokenHandler(TokenServer tokens, Urls urls, AuditLog auditLog, RequestRecorder recorder, Clock clock) {
        this.tokens = tokens;
        this.path = urls.prefix() + "token";
        this.auditLog = auditLog;
        this.recorder = recorder;
        this.clock = clock;
    }

    /**
     * Returns {@code challenge} with {@link TokenServer#REALM_OF_REQUEST} replaced by the token
     * endpoint's absolute URL on the scheme and host of {@code request}.
     */
    static String withRealm(String challenge, Request request, Urls urls) {
        if (challenge == null || !challenge.contains(TokenServer.REALM_OF_REQUEST)) {
            return challenge;
        }
        return challenge.replace(TokenServer.REALM_OF_REQUEST, urls.absolute(request, "token"));
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (!path.equals(request.getHttpURI().getPath())) {
            return false;
        }
        String requestId = UUID.randomUUID().toString();
        MDC.put("request.id", requestId);
        response.getHeaders().put("X-Request-Id", requestId);
        // RFC 6749 section 5.1: responses that carry tokens must not be cached.
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put(HttpHeader.PRAGMA, "no-cache");
        TokenRequest tokenRequest = new TokenRequest(request, requestId);

        RequestRecorder.Recording recording = recorder.start(request, HANDLER_LABEL);
        Throwable failure = null;
        try (Scope ignored = recording.makeCurrent()) {
            serve(request, response, tokenRequest);
        } catch (IOException | RuntimeException e) {
            log.atError().setCause(e).log("token request failed");
            failure = e;
        }

        recording.finish(response, tokenRequest.formBytes, failure);
        MDC.clear();
        if (failure == null) {
            callback.succeeded();
        } else {
            callback.failed(failure);
        }
        return true;
    }

    /** Sends the requested token, or an OAuth2 error when the request is rejected. */
    private void serve(Request request, Response response, TokenRequest tokenRequest) throws IOException {
        try {
            switch (request.getMethod()) {
                case "GET" -> sendToken(response, tokenRequest, get(request, tokenRequest));
                case "POST" -> sendToken(response, tokenRequest, post(request, tokenRequest));
                default -> {
                    response.getHeaders().put(HttpHeader.ALLOW, "GET, POST");
                    sendError(response, 405, "invalid_request", "method " + request.getMethod() + " not allowed; use GET or POST");
                }
            }
        } catch (TokenRequestException e) {
            reject(response, tokenRequest, e);
        }
    }

    /** The client address, request id and user of one request, for the audit log, and its form size for the metrics. */
    private static final class TokenRequest {
        final String clientAddress;
        final String requestId;
        String user;
        long formBytes;

        TokenRequest(Request request, String requestId) {
            this.clientAddress = ClientAddress.of(request);
            this.requestId = requestId;
        }
    }

    // GET /token?service=…&scope=…&account=…&offline_token=true&client_id=…
    private TokenServer.Issued get(Request request, TokenRequest tokenRequest) throws TokenRequestException {
        Fields query = Request.extractQueryParameters(request, StandardCharsets.UTF_8);
        tokens.checkService(query.getValue("service"));
        List<Access> requested = Scopes.parse(values(query, "scope"));
        String[] credentials = basicCredentials(request.getHeaders().get(HttpHeader.AUTHORIZATION));

        Principal principal = Principal.ANONYMOUS;
        if (credentials != null) {
            tokenRequest.user = credentials[0];
            String account = query.getValue("account");
            if (account != null && !account.isEmpty() && !account.equals(credentials[0])) {
                throw new TokenRequestException(TokenRequestException.Kind.INVALID_REQUEST,
                        "account " + account + " does not match the user " + credentials[0] + " of the Basic credentials", credentials[0]);
            }
            principal = tokens.login(credentials[0], credentials[1], tokenRequest.clientAddress);
        }
        return tokens.issue(principal, requested, "true".equals(query.getValue("offline_token")), query.getValue("client_id"));
    }

    // POST /token with grant_type=password or grant_type=refresh_token, as an OAuth2 form.
    private TokenServer.Issued post(Request request, TokenRequest tokenRequest) throws TokenRequestException, IOException {
        Map<String, List<String>> form = readForm(request, tokenRequest);
        String grantType = first(form, "grant_type");
        String clientId = first(form, "client_id");
        tokens.checkService(first(form, "service"));
        if (clientId == null || clientId.isEmpty()) {
            throw new TokenRequestException(TokenRequestException.Kind.INVALID_REQUEST, "missing client_id parameter", null);
        }
        List<Access> requested = Scopes.parse(form.getOrDefault("scope", List.of()));

        if ("password".equals(grantType)) {
            String user = first(form, "username");
            String password = first(form, "password");
            if (user == null || user.isEmpty() || password == null) {
                throw new TokenRequestException(TokenRequestException.Kind.INVALID_REQUEST,
                        "grant_type password needs the username and password parameters", user);
            }
            tokenRequest.user = user;
            Principal principal = tokens.login(user, password, tokenRequest.clientAddress);
            return tokens.issue(principal, requested, "offline".equals(first(form, "access_type")), clientId);
        }
        if ("refresh_token".equals(grantType)) {
            String refreshToken = first(form, "refresh_token");
            if (refreshToken == null || refreshToken.isEmpty()) {
                throw new TokenRequestException(TokenRequestException.Kind.INVALID_REQUEST,
                        "grant_type refresh_token needs the refresh_token parameter", null);
            }
            Principal principal = tokens.redeem(refreshToken, tokenRequest.clientAddress);
            tokenRequest.user = principal.name();
            return tokens.issue(principal, requested, false, clientId);
        }
        throw new TokenRequestException(grantType == null ? TokenRequestException.Kind.INVALID_REQUEST : TokenRequestException.Kind.UNSUPPORTED_GRANT_TYPE,
                grantType == null ? "missing grant_type parameter; use password or refresh_token"
                        : "unsupported grant_type " + grantType + "; use password or refresh_token", null);
    }

    private static Map<String, List<String>> readForm(Request request, TokenRequest tokenRequest) throws TokenRequestException, IOException {
        String contentType = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (contentType == null || !MimeTypes.getContentTypeWithoutCharset(contentType).trim()
                .equalsIgnoreCase("application/x-www-form-urlencoded")) {
            throw TokenRequestException.invalidRequest("POST /token needs a body of type application/x-www-form-urlencoded, not " + contentType);
        }
        byte[] body;
        try (InputStream in = Content.Source.asInputStream(request)) {
            body = in.readNBytes(MAX_FORM_BYTES + 1);
        }
        tokenRequest.formBytes = body.length;
        if (body.length > MAX_FORM_BYTES) {
            throw TokenRequestException.invalidRequest("form body larger than " + MAX_FORM_BYTES + " bytes");
        }
        Map<String, List<String>> form = new LinkedHashMap<>();
        for (String pair : new String(body, StandardCharsets.UTF_8).split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            try {
                String name = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
                String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
                form.computeIfAbsent(name, key -> new ArrayList<>()).add(value);
            } catch (IllegalArgumentException e) {
                throw TokenRequestException.invalidRequest("invalid percent-encoding in the form body: " + e.getMessage());
            }
        }
        return form;
    }

    private static String first(Map<String, List<String>> form, String name) {
        List<String> values = form.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static List<String> values(Fields fields, String name) {
        List<String> values = fields.getValues(name);
        return values == null ? List.of() : values;
    }

    /**
     * Returns {user, password} from a {@code Basic} header, or null when there is no header or
     * it carries an empty user and password, which some clients send when they have none.
     *
     * @throws TokenRequestException when the header is present but not valid Basic credentials
     */
    private static String[] basicCredentials(String authorization) throws TokenRequestException {
        if (authorization == null || authorization.isBlank()) {
            return null;
        }
        int space = authorization.indexOf(' ');
        if (space < 0 || !authorization.substring(0, space).equalsIgnoreCase("Basic")) {
            throw new TokenRequestException(TokenRequestException.Kind.INVALID_CREDENTIALS,
                    "invalid Authorization header; send Basic credentials", null);
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(space + 1).strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new TokenRequestException(TokenRequestException.Kind.INVALID_CREDENTIALS,
                    "invalid Authorization header: Basic credentials are not valid base64", null);
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            throw new TokenRequestException(TokenRequestException.Kind.INVALID_CREDENTIALS,
                    "invalid Authorization header: Basic credentials have no colon between user and password", null);
        }
        if (colon == 0 && decoded.length() == 1) {
            return null;
        }
        if (colon == 0) {
            throw new TokenRequestException(TokenRequestException.Kind.INVALID_CREDENTIALS,
                    "invalid Authorization header: the user name is empty", null);
        }
        return new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
    }

    private void sendToken(Response response, TokenRequest tokenRequest, TokenServer.Issued issued) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("token", issued.token());
        body.put("access_token", issued.token());
        body.put("expires_in", issued.expiresIn().toSeconds());
        body.put("issued_at", DateTimeFormatter.ISO_INSTANT.format(issued.issuedAt()));
        body.put("scope", scopeString(issued.granted()));
        if (issued.refreshToken() != null) {
            body.put("refresh_token", issued.refreshToken());
        }
        // Audited before the response is written, so that a client that reads the audit log right
        // after its token finds the login there.
        if (tokenRequest.user != null) {
            MDC.put("user", tokenRequest.user);
            audit(tokenRequest, "login", "success", 200);
        }
        log.atDebug().addKeyValue("user", tokenRequest.user).addKeyValue("granted", issued.granted().size()).log("token issued");
        write(response, 200, JSON.writeValueAsBytes(body));
    }

    /** Returns the granted accesses as OAuth2 writes a scope: {@code type:name:actions}, separated by spaces. */
    private static String scopeString(List<Access> granted) {
        Map<String, List<String>> byResource = new LinkedHashMap<>();
        for (Access access : granted) {
            byResource.computeIfAbsent(access.type() + ":" + access.name(), resource -> new ArrayList<>()).add(access.action());
        }
        List<String> scopes = new ArrayList<>();
        byResource.forEach((resource, actions) -> scopes.add(resource + ":" + String.join(",", actions)));
        return String.join(" ", scopes);
    }

    private void reject(Response response, TokenRequest tokenRequest, TokenRequestException e) throws IOException {
        TokenRequestException.Kind kind = e.kind();
        if (kind == TokenRequestException.Kind.INVALID_CREDENTIALS) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, BASIC_CHALLENGE);
        }
        String user = e.user() != null ? e.user() : tokenRequest.user;
        switch (kind) {
            case INVALID_CREDENTIALS -> audit(tokenRequest, user, "auth.failure", "denied", kind.status());
            case TOO_MANY_FAILURES -> audit(tokenRequest, user, "auth.throttled", "denied", kind.status());
            case BACKEND_UNAVAILABLE -> audit(tokenRequest, user, "auth.failure", "failure", kind.status());
            default -> {
                // A malformed request proves nothing about the credentials, so it is not audited.
            }
        }
        log.atDebug().addKeyValue("user", user).addKeyValue("status", kind.status()).log("token request rejected: {}", e.getMessage());
        sendError(response, kind.status(), kind.oauthError(), e.getMessage());
    }

    private static void sendError(Response response, int status, String error, String message) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("error_description", message);
        body.put("details", message);
        write(response, status, JSON.writeValueAsBytes(body));
    }

    private static void write(Response response, int status, byte[] body) throws IOException {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        try (OutputStream out = Content.Sink.asOutputStream(response)) {
            out.write(body);
        }
    }

    private void audit(TokenRequest tokenRequest, String action, String result, int status) {
        audit(tokenRequest, tokenRequest.user, action, result, status);
    }

    private void audit(TokenRequest tokenRequest, String user, String action, String result, int status) {
        auditLog.record(new AuditEvent(clock.instant(), user == null || user.isEmpty() ? null : user, tokenRequest.clientAddress,
                action, null, null, null, result, status, tokenRequest.requestId));
    }
}
