package io.entrepot.http;

import io.entrepot.auth.AuthenticationException;
import io.entrepot.events.AuditEvent;
import io.entrepot.events.AuditLog;
import java.time.Clock;
import org.eclipse.jetty.server.Request;
import org.slf4j.MDC;

/** Turns finished requests into {@link AuditEvent}s: which requests are audited, and under which action name. */
final class RequestAudit {

    private final AuditLog auditLog;
    private final Clock clock;

    RequestAudit(AuditLog auditLog, Clock clock) {
        this.auditLog = auditLog;
        this.clock = clock;
    }

    /**
     * Records a request stopped by authentication. A request without credentials is not
     * recorded, because every client sends its first request that way to learn the challenge.
     */
    void rejected(Exchange exchange, AuthenticationException rejection, String repository) {
        String action = switch (rejection.reason()) {
            case CREDENTIALS_MISSING -> null;
            case CREDENTIALS_INVALID -> "auth.failure";
            case INSUFFICIENT_SCOPE -> "access.denied";
            case TOO_MANY_FAILURES -> "auth.throttled";
        };
        if (action == null) {
            return;
        }
        int status = rejection.reason() == AuthenticationException.Reason.TOO_MANY_FAILURES ? 429 : 401;
        record(exchange, rejection.user(), action, repository, null, null, "denied", status);
    }

    /** Records a push, tag change or deletion once its response status is known; other requests are ignored. */
    void served(Exchange exchange, String action, String user, String repository, String reference) {
        if (action == null) {
            return;
        }
        int status = exchange.response().getStatus();
        String digest = exchange.response().getHeaders().get("Docker-Content-Digest");
        if (digest == null) {
            digest = exchange.query("digest");
        }
        record(exchange, user, action, repository, reference, digest, status < 400 ? "success" : "failure", status);
    }

    private void record(Exchange exchange, String user, String action, String repository, String reference, String digest,
            String result, int status) {
        auditLog.record(new AuditEvent(clock.instant(), user == null || user.isEmpty() ? null : user,
                Request.getRemoteAddr(exchange.request()), action, repository, reference, digest, result, status,
                MDC.get("request.id")));
    }
}
