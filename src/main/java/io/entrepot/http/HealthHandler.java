package io.entrepot.http;

import io.entrepot.cache.MeasuredCache;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Health endpoints for load balancers and orchestrators, served on the main and debug listeners
 * ahead of the wrapped handler:
 * <ul>
 *   <li>{@code /livez}: 200 while the process serves requests, even while draining.
 *   <li>{@code /readyz}: 200 when every health check passes and the instance is not draining,
 *       else 503 with the failing checks.
 *   <li>{@code /debug/health} (debug listener only): every check with "ok" or its error, the
 *       read-only flag and the cache's {@link io.entrepot.cache.FenceState}; 503 when a check fails,
 *       as distribution's endpoint does. A fenced cache never fails it, because lookups
 *       then bypass it and stay correct.
 *   <li>{@code /debug/cache} (debug listener only): the blob descriptor cache's lookup counts and fence state.
 * </ul>
 */
final class HealthHandler extends Handler.Wrapper {

    private final HealthChecks health;
    private final MeasuredCache cache;
    private final AtomicBoolean readOnly;
    private final boolean debug;

    HealthHandler(HealthChecks health, MeasuredCache cache, AtomicBoolean readOnly, boolean debug, Handler next) {
        super(next);
        this.health = health;
        this.cache = cache;
        this.readOnly = readOnly;
        this.debug = debug;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = request.getHttpURI().getPath();
        switch (path) {
            case "/livez" -> send(response, callback, 200, "{\"status\":\"ok\"}");
            case "/readyz" -> sendReadiness(response, callback);
            case "/debug/health" -> {
                if (!debug) {
                    return super.handle(request, response, callback);
                }
                Map<String, String> statuses = health.statuses();
                String body = json(statuses);
                body = body.substring(0, body.length() - 1) + (statuses.isEmpty() ? "" : ",") + "\"readonly\":" + readOnly.get()
                        + ",\"cachefence\":\"" + cache.fenceState().label() + "\"}";
                send(response, callback, health.failures().isEmpty() ? 200 : 503, body);
            }
            case "/debug/cache" -> {
                if (!debug) {
                    return super.handle(request, response, callback);
                }
                var statistics = cache.statistics();
                send(response, callback, 200, "{\"type\":\"" + cache.type() + "\",\"requests\":" + statistics.requests()
                        + ",\"hits\":" + statistics.hits() + ",\"misses\":" + statistics.misses()
                        + ",\"fence\":\"" + cache.fenceState().label() + "\"}");
            }
            default -> {
                return super.handle(request, response, callback);
            }
        }
        return true;
    }

    private void sendReadiness(Response response, Callback callback) {
        Map<String, String> failures = health.failures();
        boolean draining = health.draining();
        int status = failures.isEmpty() && !draining ? 200 : 503;
        String state = "ready";
        if (draining) {
            state = "draining";
        } else if (status != 200) {
            state = "failing";
        }
        send(response, callback, status, "{\"status\":\"" + state + "\",\"failures\":" + json(failures) + "}");
    }

    private static void send(Response response, Callback callback, int status, String body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
    }

    private static String json(Map<String, String> failures) {
        StringJoiner object = new StringJoiner(",", "{", "}");
        failures.forEach((name, error) -> object.add(quote(name) + ":" + quote(error)));
        return object.toString();
    }

    private static String quote(String text) {
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        quoted.append(String.format("\\u%04x", (int) c));
                    } else {
                        quoted.append(c);
                    }
                }
            }
        }
        return quoted.append('"').toString();
    }
}
