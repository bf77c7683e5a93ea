package io.entrepot.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /debug/readonly} on the debug listener: switches read-only mode at run time
 * ({@code PUT} on, {@code DELETE} off, {@code GET} the current state).
 */
final class ReadOnlyHandler extends Handler.Abstract {

    private static final Logger log = LoggerFactory.getLogger(ReadOnlyHandler.class);

    private final AtomicBoolean readOnly;

    ReadOnlyHandler(AtomicBoolean readOnly) {
        this.readOnly = readOnly;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (!"/debug/readonly".equals(request.getHttpURI().getPath())) {
            return false;
        }
        switch (request.getMethod()) {
            case "PUT" -> setReadOnly(true);
            case "DELETE" -> setReadOnly(false);
            case "GET", "HEAD" -> {
                // report only
            }
            default -> {
                response.setStatus(405);
                response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD, PUT, DELETE");
                writeJson(response, callback, "{\"error\":\"method " + request.getMethod()
                        + " not allowed on /debug/readonly; use PUT to enable read-only mode or DELETE to disable it\"}");
                return true;
            }
        }
        response.setStatus(200);
        writeJson(response, callback, "{\"readonly\":" + readOnly.get() + "}");
        return true;
    }

    private void setReadOnly(boolean value) {
        boolean previous = readOnly.getAndSet(value);
        log.atInfo().addKeyValue("readonly", value).addKeyValue("previous", previous).addKeyValue("source", "debug endpoint")
                .log(value ? "read-only mode enabled" : "read-only mode disabled");
    }

    private static void writeJson(Response response, Callback callback, String body) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
    }
}
