package io.entrepot.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes {@link AuditEvent}s as JSON lines, one per event, to a file or standard output.
 *
 * <p>Each line is written and flushed under a lock, so lines from concurrent requests never
 * interleave. A served request is recorded once its response status is known, which may be just
 * after the client has read the response. A failed write is logged and does not fail the
 * request, whose action has already happened.
 */
public final class AuditLog implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AuditLog.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An audit log that drops every event. */
    public static final AuditLog DISABLED = new AuditLog(null, false);

    private final OutputStream out;
    private final boolean ownsStream;

    private AuditLog(OutputStream out, boolean ownsStream) {
        this.out = out;
        this.ownsStream = ownsStream;
    }

    /** Opens {@code file} for appending, creating it when it does not exist. */
    public static AuditLog toFile(Path file) throws IOException {
        return new AuditLog(Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE), true);
    }

    /** Writes to {@code stream}, such as {@code System.out}, which stays open on {@link #close}. */
    public static AuditLog toStream(PrintStream stream) {
        return new AuditLog(stream, false);
    }

    /** Appends one line for {@code event}. */
    public void record(AuditEvent event) {
        if (out == null) {
            return;
        }
        byte[] line;
        try {
            line = (JSON.writeValueAsString(fields(event)) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            log.error("failed to encode an audit event: {}", e.getMessage());
            return;
        }
        synchronized (this) {
            try {
                out.write(line);
                out.flush();
            } catch (IOException e) {
                log.atError().addKeyValue("action", event.action()).addKeyValue("request.id", event.requestId())
                        .log("failed to write the audit log: {}", e.getMessage());
            }
        }
    }

    /** Keeps the field names stable and in a fixed order, leaving out those that do not apply. */
    private static Map<String, Object> fields(AuditEvent event) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("time", event.time().toString());
        fields.put("user", event.user());
        fields.put("client_address", event.clientAddress());
        fields.put("action", event.action());
        putIfPresent(fields, "repository", event.repository());
        putIfPresent(fields, "reference", event.reference());
        putIfPresent(fields, "digest", event.digest());
        fields.put("result", event.result());
        fields.put("status", event.status());
        fields.put("request_id", event.requestId());
        putIfPresent(fields, "scope", event.scope());
        return fields;
    }

    private static void putIfPresent(Map<String, Object> fields, String name, String value) {
        if (value != null) {
            fields.put(name, value);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (ownsStream) {
            out.close();
        }
    }
}
