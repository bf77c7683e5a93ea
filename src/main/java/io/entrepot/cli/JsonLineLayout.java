package io.entrepot.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.event.KeyValuePair;

/**
 * Writes each event as one JSON object per line: time, level, logger, msg, the MDC (request id,
 * repository), the event's key-value pairs and the static {@code log.fields}.
 */
final class JsonLineLayout extends LayoutBase<ILoggingEvent> {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, String> fields;

    JsonLineLayout(Map<String, String> fields) {
        this.fields = Map.copyOf(fields);
    }

    @Override
    public String doLayout(ILoggingEvent event) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", Instant.ofEpochMilli(event.getTimeStamp()).toString());
        line.put("level", event.getLevel().toString().toLowerCase(java.util.Locale.ROOT));
        line.put("logger", event.getLoggerName());
        line.put("msg", event.getFormattedMessage());
        line.putAll(fields);
        line.putAll(event.getMDCPropertyMap());
        if (event.getKeyValuePairs() != null) {
            for (KeyValuePair pair : event.getKeyValuePairs()) {
                line.put(pair.key, pair.value);
            }
        }
        if (event.getThrowableProxy() != null) {
            line.put("error", ThrowableProxyUtil.asString(event.getThrowableProxy()));
        }
        try {
            return JSON.writeValueAsString(line) + CoreConstants.LINE_SEPARATOR;
        } catch (JsonProcessingException e) {
            return "{\"level\":\"error\",\"msg\":\"log event could not be written as JSON\"}" + CoreConstants.LINE_SEPARATOR;
        }
    }
}
