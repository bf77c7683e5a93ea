package io.entrepot.http;

import io.entrepot.storage.PathNotFoundException;
import io.entrepot.storage.StorageDriver;
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
 * The debug listener ({@code http.debug.addr}): {@code /debug/health}, which checks that the
 * storage driver responds, as distribution's health endpoint does with its storage driver check,
 * and {@code /debug/readonly}, which switches read-only mode at run time ({@code PUT} on,
 * {@code DELETE} off, {@code GET} the current state).
 */
final class DebugHandler extends Handler.Abstract {

    private static final Logger log = LoggerFactory.getLogger(DebugHandler.class);

    private final StorageDriver driver;
    private final AtomicBoolean readOnly;

    DebugHandler(StorageDriver driver, AtomicBoolean readOnly) {
        this.driver = driver;
        this.readOnly = readOnly;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = request.getHttpURI().getPath();
        if ("/debug/readonly".equals(path)) {
            switchReadOnly(request, response, callback);
            return true;
        }
        if (!"/debug/health".equals(path)) {
            return false;
        }
        String body;
        int status;
        try {
            driver.list("/");
            status = 200;
            body = "{\"storagedriver_" + driver.name() + "\":\"ok\",\"readonly\":" + readOnly.get() + "}";
        } catch (PathNotFoundException e) {
            status = 200; // an empty storage root is healthy
            body = "{\"storagedriver_" + driver.name() + "\":\"ok\",\"readonly\":" + readOnly.get() + "}";
        } catch (Exception e) {
            status = 503;
            body = "{\"storagedriver_" + driver.name() + "\":" + quote(e.getMessage()) + "}";
        }
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
        return true;
    }

    /** {@code PUT /debug/readonly} turns read-only mode on, {@code DELETE} turns it off, {@code GET} reports it. */
    private void switchReadOnly(Request request, Response response, Callback callback) {
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
                return;
            }
        }
        response.setStatus(200);
        writeJson(response, callback, "{\"readonly\":" + readOnly.get() + "}");
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

    private static String quote(String text) {
        return "\"" + String.valueOf(text).replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
