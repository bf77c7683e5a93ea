package io.entrepot.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.entrepot.registry.ErrorCode;
import io.entrepot.registry.RegistryException;
import java.io.IOException;
import org.eclipse.jetty.http.HttpHeader;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes errors in the specification's envelope: {@code {"errors":[{"code","message","detail"}]}}. */
final class ErrorResponses {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ErrorResponses() {}

    static byte[] envelope(ErrorCode code, String message, Object detail) throws IOException {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code.wireName());
        error.put("message", message);
        if (detail != null) {
            error.put("detail", detail);
        }
        return JSON.writeValueAsBytes(Map.of("errors", List.of(error)));
    }

    static void send(Exchange exchange, RegistryException error) throws IOException {
        ErrorCode code = error.code();
        if (code == ErrorCode.RANGE_INVALID && error.detail() instanceof Map<?, ?> detail && detail.get("size") != null) {
            exchange.setHeader("Content-Range", "bytes */" + detail.get("size"));
        }
        if (hasRequestBody(exchange)) {
            // The body may be left unread, so the connection cannot carry another request; saying
            // so keeps a client from reusing it and failing its next request on a closed socket.
            exchange.setHeader(HttpHeader.CONNECTION, "close");
        }
        exchange.send(code.httpStatus(), "application/json", envelope(code, error.getMessage(), error.detail()));
    }

    private static boolean hasRequestBody(Exchange exchange) {
        return exchange.contentLength() > 0 || exchange.header(HttpHeader.TRANSFER_ENCODING) != null;
    }
}
