package io.entrepot.http;

import io.entrepot.registry.ErrorCode;
import io.entrepot.registry.RegistryException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.regex.Matcher;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Fields;

/**
 * One request and its response, as the API handlers see them: blocking reads and writes on a
 * virtual thread, with the route's captured path groups.
 */
final class Exchange {

    private final Request request;
    private final Response response;
    private final Matcher route;
    private final Urls urls;
    private Fields query;
    private boolean bodySent;
    private CountingInputStream body;
    private String user = "";

    Exchange(Request request, Response response, Matcher route, Urls urls) {
        this.request = request;
        this.response = response;
        this.route = route;
        this.urls = urls;
    }

    String method() {
        return request.getMethod();
    }

    boolean isHead() {
        return HttpMethod.HEAD.is(request.getMethod());
    }

    /** Returns the path group {@code index} of the matched route. */
    String pathGroup(int index) {
        return route.group(index);
    }

    String header(String name) {
        return request.getHeaders().get(name);
    }

    String header(HttpHeader name) {
        return request.getHeaders().get(name);
    }

    /** Returns the first value of a query parameter, or null. */
    String query(String name) {
        if (query == null) {
            query = Request.extractQueryParameters(request);
        }
        return query.getValue(name);
    }

    /** Returns the query parameter {@code n} as a non-negative page size, or {@code defaultValue}. */
    int pageSize(int defaultValue, int max) {
        String value = query("n");
        if (value == null || value.isEmpty()) {
            return defaultValue;
        }
        try {
            int n = Integer.parseInt(value);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return Math.min(n, max);
        } catch (NumberFormatException e) {
            throw new RegistryException(ErrorCode.PAGINATION_NUMBER_INVALID,
                    "invalid page size n=\"" + value + "\": must be a non-negative integer");
        }
    }

    /** Returns the declared request body length, or -1 when the body is chunked or absent. */
    long contentLength() {
        return request.getLength();
    }

    /** Returns the request body as a blocking stream, which counts the bytes read for metrics. */
    InputStream body() {
        if (body == null) {
            body = new CountingInputStream(Content.Source.asInputStream(request));
        }
        return body;
    }

    /** Returns how many bytes of the request body the handler read. */
    long bodyBytesRead() {
        return body == null ? 0 : body.count;
    }

    /** Returns the authenticated user, or "" for an anonymous client. */
    String user() {
        return user;
    }

    void setUser(String user) {
        this.user = user;
    }

    /** Returns the client's IP address, as {@link ClientAddress} finds it. */
    String clientAddress() {
        return ClientAddress.of(request);
    }

    Urls urls() {
        return urls;
    }

    Request request() {
        return request;
    }

    void setHeader(String name, String value) {
        response.getHeaders().put(name, value);
    }

    void setHeader(HttpHeader name, String value) {
        response.getHeaders().put(name, value);
    }

    void setHeader(HttpHeader name, long value) {
        response.getHeaders().put(name, value);
    }

    void addHeader(String name, String value) {
        response.getHeaders().add(name, value);
    }

    /** Sends a response with no body. */
    void send(int status) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0L);
    }

    /** Sends {@code body} with its length, or only the headers for a HEAD request. */
    void send(int status, String contentType, byte[] body) throws IOException {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        if (!isHead()) {
            try (OutputStream out = stream()) {
                out.write(body);
            }
        }
    }

    /** Returns the response body stream; the caller sets status and headers first and closes it. */
    OutputStream stream() {
        bodySent = true;
        return Content.Sink.asOutputStream(response);
    }

    boolean isCommitted() {
        return response.isCommitted() || bodySent;
    }

    Response response() {
        return response;
    }

    private static final class CountingInputStream extends FilterInputStream {

        private long count;

        CountingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int value = super.read();
            if (value >= 0) {
                count++;
            }
            return value;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int read = super.read(buffer, offset, length);
            if (read > 0) {
                count += read;
            }
            return read;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            count += skipped;
            return skipped;
        }
    }
}
