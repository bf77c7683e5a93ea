package io.entrepot.http;

import io.entrepot.auth.Access;
import io.entrepot.auth.AuthenticationException;
import io.entrepot.events.AuditEvent;
import io.entrepot.events.AuditLog;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.slf4j.MDC;

/** Turns finished requests into {@link AuditEvent}s: which requests are audited, and under which action name. */
final class RequestAudit {

    /**
     * The action of an upload step that stores nothing visible (start, PATCH). It is recorded only
     * when a limit rejects it, because a successful upload is recorded once, as {@code blob.push}.
     */
    static final String UPLOAD_STEP = "blob.upload";

    private final AuditLog auditLog;
    private final Clock clock;

    RequestAudit(AuditLog auditLog, Clock clock) {
        this.auditLog = auditLog;
        this.clock = clock;
    }

    /**
     * Returns the audit action of a push, tag change, deletion or login, or of an upload step
     * that a limit may reject. Returns null for any other request.
     */
    static String action(ApiHandler.Route route, Exchange exchange) {
        String method = exchange.method();
        return switch (route) {
            case BASE -> method.equals("GET") && isBasic(exchange.header(HttpHeader.AUTHORIZATION)) ? "login" : null;
            case MANIFEST -> method.equals("PUT") ? "manifest.push" : method.equals("DELETE") ? "manifest.delete" : null;
            case BLOB -> method.equals("DELETE") ? "blob.delete" : null;
            case UPLOAD -> switch (method) {
                case "PUT" -> "blob.push";
                case "PATCH" -> UPLOAD_STEP;
                default -> null;
            };
            case UPLOADS -> uploadsAction(exchange);
            default -> null;
        };
    }

    /**
     * Returns the audit action of {@code POST /v2/<name>/blobs/uploads/}: a mount, a whole-blob
     * push, or an upload step when it only opened an upload session (202). A mount that the
     * caller may not make opens a session too, so it is not recorded as a mount.
     */
    private static String uploadsAction(Exchange exchange) {
        if (exchange.response().getStatus() == 202) {
            return UPLOAD_STEP;
        }
        if (exchange.query("mount") != null) {
            return "blob.mount";
        }
        return exchange.query("digest") != null ? "blob.push" : UPLOAD_STEP;
    }

    /** Returns whether {@code authorization} carries HTTP Basic credentials, as {@code docker login} sends them. */
    private static boolean isBasic(String authorization) {
        return authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6);
    }

    /**
     * Records a request stopped by authentication. A request without credentials is not
     * recorded, because every client sends its first request that way to learn the challenge.
     */
    void rejected(Exchange exchange, AuthenticationException rejection, String repository) {
        String action = switch (rejection.reason()) {
            case CREDENTIALS_MISSING -> null;
            case CREDENTIALS_INVALID -> "auth.failure";
            case INSUFFICIENT_SCOPE, ACCESS_DENIED -> "access.denied";
            case TOO_MANY_FAILURES -> "auth.throttled";
        };
        if (action == null) {
            return;
        }
        int status = switch (rejection.reason()) {
            case TOO_MANY_FAILURES -> 429;
            case ACCESS_DENIED -> 403;
            default -> 401;
        };
        record(exchange, rejection.user(), action, repository, null, null, "denied", status, scopes(rejection.required()));
    }

    /**
     * Records a cross-repository mount refused because the caller may not pull from
     * {@code source}. The request goes on as a plain upload, so the status is not known yet and
     * the event carries 202, the status of a started upload.
     */
    void mountDenied(Exchange exchange, String user, String source) {
        record(exchange, user, "access.denied", source, null, exchange.query("mount"), "denied", 202,
                "repository:" + source + ":pull");
    }

    /**
     * Records a push, tag change, deletion or login once its response status is known, and an
     * upload step that a limit rejected. Other requests are ignored. A request rejected by a
     * size or upload limit (413, 429) has the result {@code denied}.
     */
    void served(Exchange exchange, String action, String user, String repository, String reference) {
        if (action == null) {
            return;
        }
        int status = exchange.response().getStatus();
        boolean limitRejected = status == 413 || status == 429;
        if (action.equals(UPLOAD_STEP) && !limitRejected) {
            return;
        }
        if (action.equals("login") && (user == null || user.isEmpty())) {
            // Credentials sent to a registry without authentication identify no user, so there is no login to record.
            return;
        }
        String digest = exchange.response().getHeaders().get("Docker-Content-Digest");
        if (digest == null) {
            // The digest in the request path (deletions) or in the upload's digest parameter.
            digest = MDC.get("digest");
        }
        String result;
        if (limitRejected) {
            result = "denied";
        } else {
            result = status < 400 ? "success" : "failure";
        }
        record(exchange, user, action, repository, reference, digest, result, status, null);
    }

    private void record(Exchange exchange, String user, String action, String repository, String reference, String digest,
            String result, int status, String scope) {
        auditLog.record(new AuditEvent(clock.instant(), user == null || user.isEmpty() ? null : user,
                exchange.clientAddress(), action, repository, reference, digest, result, status,
                MDC.get("request.id"), scope));
    }

    /** Returns accesses as a token scope string, such as {@code repository:team/app:pull,push}, or null for none. */
    private static String scopes(List<Access> accesses) {
        Map<String, List<String>> actions = new LinkedHashMap<>();
        for (Access access : accesses) {
            actions.computeIfAbsent(access.type() + ":" + access.name(), resource -> new ArrayList<>()).add(access.action());
        }
        List<String> scopes = new ArrayList<>();
        actions.forEach((resource, names) -> scopes.add(resource + ":" + String.join(",", names)));
        return scopes.isEmpty() ? null : String.join(" ", scopes);
    }
}
