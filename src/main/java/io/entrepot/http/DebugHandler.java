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

/**
 * The debug listener ({@code http.debug.addr}): {@code /debug/health}, which checks that the
 * storage driver responds, as distribution's health endpoint does with its storage driver check.
 */
final class DebugHandler extends Handler.Abstract {

    private final StorageDriver driver;
    private final AtomicBoolean readOnly;

    DebugHandler(StorageDriver driver, AtomicBoolean readOnly) {
        this.driver = driver;
        this.readOnly = readOnly;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (!"/debug/health".equals(request.getHttpURI().getPath())) {
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

    private static String quote(String text) {
        return "\"" + String.valueOf(text).replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
