package io.entrepot.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import io.entrepot.config.LogConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Configures Logback from the {@code log} section: level, text or JSON lines, static fields. */
final class LoggingSetup {

    private LoggingSetup() {}

    static void configure(LogConfig config) {
        configure(config, false);
    }

    /**
     * Configures logging; with {@code toStandardError} the lines go to standard error, as a
     * command whose standard output is its report needs.
     */
    static void configure(LogConfig config, boolean toStandardError) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();

        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName("console");
        if (toStandardError) {
            appender.setTarget("System.err");
        }
        if (config.formatter() == LogConfig.Formatter.JSON) {
            JsonLineLayout layout = new JsonLineLayout(config.fields());
            layout.setContext(context);
            layout.start();
            LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
            encoder.setContext(context);
            encoder.setLayout(layout);
            encoder.start();
            appender.setEncoder(encoder);
        } else {
            PatternLayoutEncoder encoder = new PatternLayoutEncoder();
            encoder.setContext(context);
            StringBuilder fields = new StringBuilder();
            config.fields().forEach((key, value) -> fields.append(' ').append(key).append('=').append(value.replace("%", "\\%")));
            encoder.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{0} %msg %kvp %mdc" + fields + "%n%ex");
            encoder.start();
            appender.setEncoder(encoder);
        }
        appender.start();

        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(config.level(), Level.INFO));
        root.addAppender(appender);
        // Jetty logs every connection at DEBUG; keep it at INFO unless asked for by name.
        context.getLogger("org.eclipse.jetty").setLevel(Level.INFO);
    }
}
