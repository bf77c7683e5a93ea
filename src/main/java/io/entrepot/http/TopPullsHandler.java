package io.entrepot.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.entrepot.metrics.TopPulls;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code GET /admin/top-pulls} on the debug listener: this instance's most pulled repositories
 * since start-up, as JSON. Each entry's {@code pulls} may exceed the true count by at most its
 * {@code error} (see {@link TopPulls}).
 */
final class TopPullsHandler extends Handler.Abstract {

    static final String PATH = "/admin/top-pulls";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final TopPulls topPulls;

    TopPullsHandler(TopPulls topPulls) {
        this.topPulls = topPulls;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (!PATH.equals(request.getHttpURI().getPath())) {
            return false;
        }
        if (!HttpMethod.GET.is(request.getMethod())) {
            response.setStatus(405);
            response.getHeaders().put(HttpHeader.ALLOW, "GET");
            response.write(true, null, callback);
            return true;
        }

        ObjectNode body = JSON.createObjectNode();
        body.put("size", topPulls.size());
        ArrayNode repositories = body.putArray("repositories");
        for (TopPulls.Entry entry : topPulls.top()) {
            repositories.addObject()
                    .put("repository", entry.repository())
                    .put("pulls", entry.pulls())
                    .put("error", entry.error());
        }

        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(JSON.writeValueAsBytes(body)), callback);
        return true;
    }
}
