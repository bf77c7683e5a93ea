package io.entrepot.config;

import java.util.Map;

/**
 * The {@code log} section.
 *
 * @param level one of error, warn, info, debug
 * @param formatter text or json (distribution's logstash is accepted as json)
 * @param fields static fields added to every log line
 */
public record LogConfig(String level, Formatter formatter, Map<String, String> fields) {

    public enum Formatter { TEXT, JSON }

    public static final LogConfig DEFAULT = new LogConfig("info", Formatter.TEXT, Map.of());
}
